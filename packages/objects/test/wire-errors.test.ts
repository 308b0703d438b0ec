import { describe, expect, it } from "vitest";
import {
  FlavorCodec,
  InstanceCodec,
  isNovaObjectPrimitive,
  novaObjectPrimitiveSchema,
  ServiceCodec,
  WireFormatError,
  withChanges,
} from "../src/index.js";

const service = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  "nova_object.name": "Service",
  "nova_object.namespace": "nova",
  "nova_object.version": "1.22",
  "nova_object.data": data,
  ...extra,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return WireFormatError.isInstance(err) ? err.code : "not-a-wire-error";
  }
  return undefined;
}

describe("wire form errors and compatibility", () => {
  it("rejects another namespace, another class, and another major version", () => {
    expect(codeOf(() => ServiceCodec.fromPrimitive(service({}, { "nova_object.namespace": "cinder" })))).toBe(
      "WRONG_OBJECT",
    );
    expect(codeOf(() => FlavorCodec.fromPrimitive(service({})))).toBe("WRONG_OBJECT");
    expect(codeOf(() => ServiceCodec.fromPrimitive(service({}, { "nova_object.version": "2.0" })))).toBe(
      "INCOMPATIBLE_VERSION",
    );
    expect(codeOf(() => ServiceCodec.fromPrimitive({ nope: 1 }))).toBe("INVALID_PRIMITIVE");
  });

  it("checks the envelope as its schema does", () => {
    const envelopes: unknown[] = [
      service({}),
      service({}, { "nova_object.changes": ["host"] }),
      service({}, { "nova_object.changes": [1] }),
      service({}, { "nova_object.changes": "host" }),
      service({}, { "nova_object.version": "1" }),
      service({}, { "nova_object.version": "1.22.3" }),
      service({}, { "nova_object.version": 1.22 }),
      service({}, { "nova_object.name": null }),
      { ...service({}), "nova_object.data": [] },
      { ...service({}), "nova_object.data": null },
      null,
      [],
      "Service",
    ];
    for (const e of envelopes)
      expect(isNovaObjectPrimitive(e), JSON.stringify(e)).toBe(
        novaObjectPrimitiveSchema.safeParse(e).success,
      );
    expect(envelopes.filter((e) => isNovaObjectPrimitive(e))).toHaveLength(2);
  });

  it("rejects field values of the wrong type, with the path", () => {
    const err = (() => {
      try {
        ServiceCodec.fromPrimitive(service({ report_count: "37" }));
      } catch (e) {
        return e as WireFormatError;
      }
      return undefined;
    })();
    expect(err?.code).toBe("INVALID_FIELD");
    expect(err?.path).toBe("Service.report_count");
  });

  it("rejects vm_state, task_state and power_state values Nova does not have", () => {
    const inst = (data: Record<string, unknown>) => ({
      "nova_object.name": "Instance",
      "nova_object.namespace": "nova",
      "nova_object.version": "2.7",
      "nova_object.data": data,
    });
    expect(codeOf(() => InstanceCodec.fromPrimitive(inst({ vm_state: "running" })))).toBe("INVALID_FIELD");
    expect(codeOf(() => InstanceCodec.fromPrimitive(inst({ task_state: "sleeping" })))).toBe("INVALID_FIELD");
    expect(codeOf(() => InstanceCodec.fromPrimitive(inst({ power_state: 2 })))).toBe("INVALID_FIELD");
    expect(InstanceCodec.fromPrimitive(inst({ power_state: 4, vm_state: "stopped" })).power_state).toBe(4);
  });

  it("carries fields of a newer minor version untouched and keeps the sender's version", () => {
    const newer = service({ host: "h1", shiny_new_field: { a: 1 } }, { "nova_object.version": "1.30" });
    const decoded = ServiceCodec.fromPrimitive(newer);
    expect(decoded).toEqual({ host: "h1" });
    expect(ServiceCodec.toPrimitive(decoded)).toEqual(newer);
  });

  it("sends only set fields, and changes only when some", () => {
    const p = ServiceCodec.toPrimitive({
      host: "h1",
      disabled: false,
      last_seen_up: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    });
    expect(p).toEqual({
      "nova_object.name": "Service",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.22",
      "nova_object.data": { host: "h1", disabled: false, last_seen_up: "2026-01-02T03:04:05Z" },
    });
    const changed = withChanges({ report_count: 3 }, ["report_count"]);
    expect(ServiceCodec.toPrimitive(changed)["nova_object.changes"]).toEqual(["report_count"]);
    expect(ServiceCodec.toPrimitive(withChanges({ report_count: 3 }, []))).not.toHaveProperty(
      "nova_object.changes",
    );
  });
});
