import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@nova/testing";
import {
  type ApiDatabase,
  type CellDatabase,
  type DatabaseDeps,
  openApiDatabase,
  openCellDatabase,
} from "../src/index.js";

/** Which engine this run tests: the `db` project runs SQLite, the `db-mariadb` project MariaDB. */
export const backend: "sqlite" | "mariadb" = process.env.NOVA_DB_BACKEND === "mariadb" ? "mariadb" : "sqlite";

/** A fresh, empty database for one test file: a new MariaDB database or a new SQLite file. */
export interface FreshDatabase {
  url: string;
  dispose(): Promise<void>;
}

/** Creates a fresh empty database on this run's backend; dispose() drops it. */
export async function freshDatabase(prefix: string): Promise<FreshDatabase> {
  if (backend === "mariadb") return createTestDatabase(prefix);
  const path = join(tmpdir(), `nova-${prefix}-${randomBytes(6).toString("hex")}.db`);
  return {
    url: `sqlite:///${path}`,
    dispose: async () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

/** A manual clock for tests. */
export function manualClock(start = new Date("2026-11-27T07:00:00Z")) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

// Retries yield to the event loop instead of waiting: no timings in tests.
const noSleep = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A migrated cell database on a fresh database, closed and dropped by the returned dispose. */
export async function migratedCell(prefix: string, deps: DatabaseDeps = {}) {
  const fresh = await freshDatabase(prefix);
  const cell: CellDatabase = openCellDatabase(fresh.url, { sleep: noSleep, ...deps });
  await cell.sync();
  return {
    cell,
    url: fresh.url,
    dispose: async () => {
      await cell.close();
      await fresh.dispose();
    },
  };
}

/** A migrated API database on a fresh database. */
export async function migratedApi(prefix: string, deps: DatabaseDeps = {}) {
  const fresh = await freshDatabase(prefix);
  const api: ApiDatabase = openApiDatabase(fresh.url, { sleep: noSleep, ...deps });
  await api.sync();
  return {
    api,
    url: fresh.url,
    dispose: async () => {
      await api.close();
      await fresh.dispose();
    },
  };
}
