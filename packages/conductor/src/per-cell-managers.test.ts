import type { CellDatabase } from "@nova/db";
import { describe, expect, it } from "vitest";
import type { CellTarget } from "./cell-targets.js";
import { restrictToCell } from "./move-task.js";
import { PerCellManagers } from "./per-cell-managers.js";

const target = (cellUuid: string, db: object) => ({ cellUuid, db: db as CellDatabase }) as CellTarget;

describe("PerCellManagers", () => {
  it("makes one manager per cell, a new one when the cell's database was reopened, and drains them all", async () => {
    const drained: string[] = [];
    const made: string[] = [];
    const managers = new PerCellManagers((t) => {
      const name = `${t.cellUuid}#${made.length}`;
      made.push(name);
      return { name, drain: async () => void drained.push(name) };
    });
    const [db1, db2, db2again] = [{}, {}, {}];
    expect(managers.of(target("c1", db1)).name).toBe("c1#0");
    expect(managers.of(target("c2", db2)).name).toBe("c2#1");
    expect(managers.of(target("c1", db1)).name).toBe("c1#0");
    expect(managers.of(target("c2", db2again)).name).toBe("c2#2");
    await managers.drain();
    expect(drained.sort()).toEqual(["c1#0", "c2#1", "c2#2"]);
  });
});

describe("restrictToCell", () => {
  it("adds the cell to the requested destination, keeping a named host", () => {
    const named = {
      "nova_object.name": "Destination",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.4",
      "nova_object.data": { host: "compute-2b" },
      "nova_object.changes": ["host"],
    };
    const spec = restrictToCell({ requested_destination: named }, "cell-2") as {
      requested_destination: { "nova_object.data": Record<string, unknown>; "nova_object.changes": string[] };
    };
    expect(spec.requested_destination["nova_object.data"]).toEqual({
      host: "compute-2b",
      cell: expect.objectContaining({
        "nova_object.name": "CellMapping",
        "nova_object.data": { uuid: "cell-2" },
      }),
    });
    expect(spec.requested_destination["nova_object.changes"]).toEqual(["host", "cell"]);
    const bare = restrictToCell({ num_instances: 1 }, "cell-2") as { requested_destination: unknown };
    expect(bare.requested_destination).toMatchObject({
      "nova_object.data": { cell: { "nova_object.data": { uuid: "cell-2" } } },
    });
    expect(restrictToCell({ num_instances: 1 }, undefined)).toEqual({ num_instances: 1 });
  });
});
