import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CELL0_UUID,
  HostMappingCodec,
  InstanceGroupCodec,
  InstanceMappingCodec,
  type NovaObjectPrimitive,
  novaObjectCodecs,
  objectChanges,
} from "../src/index.js";

// Primitives made by Nova 26.2.2's own obj_to_primitive() (fixtures/generate-from-nova.py) for the
// objects that the captured boot/delete traffic does not carry.
const dir = fileURLToPath(new URL("./fixtures/nova-generated/", import.meta.url));
const generated = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({
    file: f,
    ...(JSON.parse(readFileSync(`${dir}${f}`, "utf8")) as { primitive: NovaObjectPrimitive }),
  }));

describe("objects Nova itself serialized", () => {
  it("covers the classes absent from the captured traffic", () => {
    const names = new Set(generated.map((g) => g.primitive["nova_object.name"]));
    for (const n of [
      "InstanceFault",
      "InstanceAction",
      "InstanceActionEvent",
      "CellMapping",
      "HostMapping",
      "InstanceMapping",
      "KeyPair",
      "InstanceGroup",
    ]) {
      expect(names).toContain(n);
    }
  });

  it.each(generated)("$file decodes, validates and re-encodes exactly", ({ primitive }) => {
    const codec = novaObjectCodecs.get(primitive["nova_object.name"])!;
    const value = codec.fromPrimitive(primitive);
    expect(codec.valueSchema.safeParse(value).success).toBe(true);
    expect(codec.toPrimitive(value)).toEqual(primitive);
  });

  it("decodes nested mappings and pending changes", () => {
    const hm = HostMappingCodec.fromPrimitive(
      generated.find((g) => g.file === "HostMapping.json")!.primitive,
    );
    expect(hm.cell_mapping?.uuid).toBe(CELL0_UUID);
    expect(hm.cell_mapping?.created_at).toEqual(new Date("2026-11-27T07:08:43Z"));
    expect(HostMappingCodec.schema.safeParse(hm).success).toBe(true);
    const changed = InstanceMappingCodec.fromPrimitive(
      generated.find((g) => g.file === "InstanceMapping.changed.json")!.primitive,
    );
    expect(objectChanges(changed)).toEqual(["queued_for_delete"]);
    expect(changed.queued_for_delete).toBe(true);
    const group = InstanceGroupCodec.fromPrimitive(
      generated.find((g) => g.file === "InstanceGroup.json")!.primitive,
    );
    expect(group).toMatchObject({
      policy: "anti-affinity",
      _rules: { max_server_per_host: "1" },
      hosts: ["peer-cpu-1"],
    });
  });
});
