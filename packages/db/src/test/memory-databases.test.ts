import { describe, expect, it } from "vitest";
import { createMemoryDatabases } from "./index.js";

describe("@nova/db/test createMemoryDatabases", () => {
  it("gives migrated, separate in-memory API and cell databases", async () => {
    const dbs = await createMemoryDatabases();
    try {
      expect((await dbs.api.status()).pending).toEqual([]);
      expect((await dbs.cell.status()).pending).toEqual([]);
      await dbs.cell.services.create({ host: "h", binary: "nova-conductor", topic: "conductor" });
      expect(await dbs.cell.services.list()).toHaveLength(1);
      expect(await dbs.api.mappings.listCells()).toEqual([]);
    } finally {
      await dbs.close();
    }
  });
});
