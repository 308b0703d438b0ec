import { describe, expect, it } from "vitest";
import type { ServerRecord } from "./compute-backend.js";
import { InstanceInvalidStateError } from "./errors/instance-invalid-state.js";
import { checkServerAction } from "./server-action-rules.js";
import { makeCreateServerSpec, makeRequestContext } from "./test/create-server-spec.js";
import { FakeComputeBackend } from "./test/fake-compute-backend.js";

async function server(fields: Partial<ServerRecord>): Promise<ServerRecord> {
  const fake = new FakeComputeBackend();
  const [record] = await fake.createServers(
    makeRequestContext({ userId: "u", projectId: "p", roles: [], remoteAddress: "" }),
    makeCreateServerSpec({ name: "s" }),
  );
  return { ...record!, ...fields };
}

const running = { vmState: "active", taskState: null, host: "h", launchedAt: new Date() } as const;

function refusal(record: ServerRecord, action: Parameters<typeof checkServerAction>[1], isAdmin = false) {
  try {
    checkServerAction(record, action, { isAdmin });
    return undefined;
  } catch (error) {
    return error as Error & { code: string; attr?: string; state?: string | null; method?: string };
  }
}

describe("checkServerAction (nova/compute/api.py state checks)", () => {
  it("allows the actions a running server takes", async () => {
    const s = await server(running);
    for (const action of [
      { type: "reboot", rebootType: "SOFT" },
      { type: "reboot", rebootType: "HARD" },
      { type: "stop" },
      { type: "pause" },
      { type: "delete" },
    ] as const) {
      expect(refusal(s, action)).toBeUndefined();
    }
    expect(refusal(s, { type: "start" })).toMatchObject({
      attr: "vm_state",
      state: "active",
      method: "start",
    });
    expect(refusal(s, { type: "unpause" })).toMatchObject({
      attr: "vm_state",
      state: "active",
      method: "unpause",
    });
  });

  it("checks vm_state, then task_state, then launched_at", async () => {
    const soft = { type: "reboot", rebootType: "SOFT" } as const;
    const e1 = refusal(await server({ ...running, vmState: "stopped", taskState: "powering-on" }), soft);
    expect(e1).toBeInstanceOf(InstanceInvalidStateError);
    expect(e1).toMatchObject({ attr: "vm_state", state: "stopped", method: "_soft_reboot" });
    const e2 = refusal(await server({ ...running, taskState: "pausing" }), soft);
    expect(e2).toMatchObject({ attr: "task_state", state: "pausing" });
    const e3 = refusal(await server({ ...running, launchedAt: null }), soft);
    expect(e3).toMatchObject({ attr: "launched_at", state: null });
    expect(e3?.message).toMatch(
      /in launched_at None\. Cannot _soft_reboot while the instance is in this state\.$/,
    );
  });

  it("lets a hard reboot through states a soft one refuses", async () => {
    const hard = { type: "reboot", rebootType: "HARD" } as const;
    for (const vmState of ["stopped", "paused", "suspended", "error"] as const) {
      expect(refusal(await server({ ...running, vmState }), hard)).toBeUndefined();
    }
    expect(refusal(await server({ ...running, taskState: "rebooting" }), hard)).toBeUndefined();
    expect(refusal(await server({ ...running, taskState: "powering-off" }), hard)).toMatchObject({
      attr: "task_state",
    });
  });

  it("needs a host for stop and start, and refuses locked servers to non-admins", async () => {
    expect(refusal(await server({ ...running, host: null }), { type: "stop" })?.code).toBe(
      "INSTANCE_NOT_READY",
    );
    const locked = await server({ ...running, locked: true });
    expect(refusal(locked, { type: "delete" })?.code).toBe("INSTANCE_IS_LOCKED");
    expect(refusal(locked, { type: "delete" }, true)).toBeUndefined();
  });

  it("lets delete through at every stage", async () => {
    expect(refusal(await server({}), { type: "delete" })).toBeUndefined();
    expect(
      refusal(await server({ vmState: "error", taskState: "deleting" }), { type: "delete" }),
    ).toBeUndefined();
  });
});
