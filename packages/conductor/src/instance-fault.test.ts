import { openCellDatabase } from "@nova/db";
import { InstanceNotFound } from "@nova/rpcapi";
import { describe, expect, it } from "vitest";
import { recordInstanceFault } from "./instance-fault.js";

const U = "11111111-2222-4333-8444-555555555555";

// Nova: nova/compute/utils.py add_instance_fault_from_exc / exception_to_dict, the same rule nova-compute uses.
describe("recordInstanceFault", () => {
  it("records a foreign error by its class name only (its text may hold secrets), with the stack as details", async () => {
    const cellDb = openCellDatabase("sqlite://");
    await cellDb.sync();
    try {
      await cellDb.instances.create({ uuid: U, vm_state: "building" });
      await recordInstanceFault(cellDb, U, new TypeError("password=hunter2"), "ctl");
      await recordInstanceFault(cellDb, U, new InstanceNotFound({ instance_id: U }), "ctl");
      const faults = await cellDb.faults.listFor([U]);
      const byCode = Object.fromEntries(faults.map((f) => [f.code, f]));
      expect(byCode[500]).toMatchObject({ message: "TypeError", host: "ctl" });
      expect(byCode[500]?.details).toContain("hunter2");
      // Nova keeps details (the traceback) for code 500 only.
      expect(byCode[404]).toMatchObject({ message: `Instance ${U} could not be found.`, details: "" });
    } finally {
      await cellDb.close();
    }
  });
});
