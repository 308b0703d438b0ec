import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "@nova/core/test";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CellConnections } from "./cell-connections.js";

describe("CellConnections", () => {
  const files: string[] = [];
  const file = () => {
    const p = join(tmpdir(), `nova-cellconn-${randomBytes(6).toString("hex")}.db`);
    files.push(p);
    return `sqlite:///${p}`;
  };
  let apiDb: ApiDatabase;
  let opened: { url: string; db: CellDatabase }[];
  let transports: { url: string; t: Transport }[];
  let registry: CellConnections;
  const broker = new FakeBroker();

  beforeEach(async () => {
    apiDb = openApiDatabase(file());
    await apiDb.sync();
    opened = [];
    transports = [];
    registry = new CellConnections(
      apiDb,
      {
        database: (url) => {
          const db = openCellDatabase(url);
          opened.push({ url, db });
          return db;
        },
        transport: (url) => {
          const t = new Transport(url, { fakeBroker: broker });
          transports.push({ url, t });
          return t;
        },
      },
      new MemoryLogger(),
    );
  });
  afterEach(async () => {
    await registry.close();
    await apiDb.close();
    for (const p of files.splice(0))
      for (const s of ["", "-wal", "-shm"]) rmSync(`${p}${s}`, { force: true });
  });

  it("opens a cell's pool and transport on first use and reuses them after", async () => {
    const url = file();
    const cell = await apiDb.mappings.createCell({
      name: "c1",
      transport_url: "fake://c1",
      database_connection: url,
    });
    expect(opened).toHaveLength(0);
    const db = await registry.database(cell.uuid);
    await db.sync();
    expect(await registry.database(cell.uuid)).toBe(db);
    await registry.withCell(cell, async (d) => expect(d).toBe(db));
    expect(opened.map((o) => o.url)).toEqual([url]);
    const t = await registry.transport(cell.uuid);
    expect(await registry.transport(cell.uuid)).toBe(t);
    expect(transports.map((x) => x.url)).toEqual(["fake://c1"]);
    await expect(registry.database("00000000-0000-0000-0000-00000000beef")).rejects.toMatchObject({
      code: "DB_NOT_FOUND",
    });
  });

  it("sees a cell created after it loaded, and on SIGHUP reopens a changed cell and drops a deleted one", async () => {
    const a = await apiDb.mappings.createCell({
      name: "a",
      transport_url: "fake://a",
      database_connection: file(),
    });
    expect((await registry.cells()).map((c) => c.name)).toEqual(["a"]);
    const b = await apiDb.mappings.createCell({
      name: "b",
      transport_url: "fake://b",
      database_connection: file(),
    });
    const dbA = await registry.database(a.uuid);
    const dbB = await registry.database(b.uuid);
    expect(dbB).not.toBe(dbA);

    const moved = file();
    await apiDb.mappings.updateCell(a.uuid, { database_connection: moved });
    // Until the reload the running process keeps what it has, as Nova's services do.
    expect(await registry.database(a.uuid)).toBe(dbA);
    await apiDb.mappings.deleteCell(b.uuid);
    const signals = new EventEmitter();
    // What the service re-reads after the mappings (the scheduler's cells) runs once they are reloaded.
    const seenAfter: string[][] = [];
    const stop = registry.reloadOnSighup(signals, async () => {
      seenAfter.push((await registry.cells()).map((c) => c.name ?? ""));
    });
    signals.emit("SIGHUP");
    await expect.poll(() => seenAfter).toEqual([["a"]]);
    const reopened = await registry.database(a.uuid);
    expect(reopened).not.toBe(dbA);
    expect(reopened.db.options.connection).toBe(moved);
    await expect(registry.database(b.uuid)).rejects.toMatchObject({ code: "DB_NOT_FOUND" });
    stop();
    expect(signals.listenerCount("SIGHUP")).toBe(0);
  });
});
