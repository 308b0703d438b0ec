import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNovaConfig } from "@nova/config";
import { MemoryLogger } from "@nova/core/test";
import { type ApiDatabase, openApiDatabase } from "@nova/db";
import { RpcServer, Transport } from "@nova/messaging";
import { userContext } from "@nova/rpcapi";
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCellAccess } from "./api-cells.js";

// nova-api's cell access over real engines: two cells, each its own MariaDB database and RabbitMQ vhost; each
// cell's compute is reached over that cell's broker, and a cell created later is seen after SIGHUP.

describe("apiCellAccess", () => {
  const apiFile = join(tmpdir(), `nova-apicells-${randomBytes(6).toString("hex")}.db`);
  let apiDb: ApiDatabase;
  const databases: TestDatabase[] = [];
  const vhosts: TestVhost[] = [];
  const servers: Transport[] = [];

  beforeAll(async () => {
    apiDb = openApiDatabase(`sqlite:///${apiFile}`);
    await apiDb.sync();
    for (const name of ["cell1", "cell2", "cell3"]) {
      const [db, vhost] = await Promise.all([createTestDatabase("cells2"), createTestVhost("cells2")]);
      databases.push(db);
      vhosts.push(vhost);
      // A compute of that cell, on that cell's broker only, answering with its cell's name.
      const transport = new Transport(vhost.transportUrl, { options: { control_exchange: "nova" } });
      servers.push(transport);
      const server = new RpcServer(transport, { topic: "compute", server: "cpu" }, [
        { version: "6.1", methods: { get_console_output: () => `console of ${name}` } },
      ]);
      await server.start();
    }
    for (const [i, name] of ["cell1", "cell2"].entries()) {
      await apiDb.mappings.createCell({
        name,
        transport_url: vhosts[i]!.transportUrl,
        database_connection: databases[i]!.url,
      });
    }
  }, 60_000);

  afterAll(async () => {
    for (const t of servers) await t.close();
    await apiDb?.close();
    await Promise.allSettled([...databases, ...vhosts].map((x) => x.dispose()));
    for (const s of ["", "-wal", "-shm"]) rmSync(`${apiFile}${s}`, { force: true });
  });

  it("reaches each cell's compute over its own broker, and a new cell after SIGHUP", async () => {
    const config = loadNovaConfig({ defaults: { DEFAULT: { transport_url: vhosts[0]!.transportUrl } } });
    const cells = apiCellAccess(config, { apiDb, logger: new MemoryLogger() });
    try {
      const ctx = userContext({ user_id: "u", project_id: "p" });
      const seen = await cells.access.cells();
      expect(seen.map((c) => c.name)).toEqual(["cell1", "cell2"]);
      for (const cell of seen) {
        const compute = await cells.access.compute(cell.uuid);
        // The same client (and transport) serves every request to a cell.
        expect(await cells.access.compute(cell.uuid)).toBe(compute);
        expect(
          await compute.getConsoleOutput(ctx, "cpu", { uuid: "c3f7ad0e-8c43-4a8b-9a54-2ab2f7c1d9e1" }),
        ).toBe(`console of ${cell.name}`);
        // The cell's database pool answers (its schema is not needed for a liveness query).
        const db = await cells.access.database(cell.uuid);
        expect(db).toBe(await cells.access.database(cell.uuid));
      }

      await apiDb.mappings.createCell({
        name: "cell3",
        transport_url: vhosts[2]!.transportUrl,
        database_connection: databases[2]!.url,
      });
      expect((await cells.access.cells()).map((c) => c.name)).toEqual(["cell1", "cell2"]);
      process.emit("SIGHUP", "SIGHUP");
      let names: (string | null)[] = [];
      for (let i = 0; i < 100 && names.length < 3; i++) {
        names = (await cells.access.cells()).map((c) => c.name);
        if (names.length < 3) await new Promise((r) => setTimeout(r, 20));
      }
      expect(names).toEqual(["cell1", "cell2", "cell3"]);
      const cell3 = (await cells.access.cells()).find((c) => c.name === "cell3")!;
      const compute3 = await cells.access.compute(cell3.uuid);
      expect(
        await compute3.getConsoleOutput(ctx, "cpu", { uuid: "c3f7ad0e-8c43-4a8b-9a54-2ab2f7c1d9e1" }),
      ).toBe("console of cell3");
    } finally {
      await cells.close();
    }
  }, 60_000);
});
