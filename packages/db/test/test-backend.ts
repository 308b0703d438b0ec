import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { createTestDatabase } from "@nova/testing";
import {
  type ApiDatabase,
  type CellDatabase,
  type DatabaseDeps,
  openApiDatabase,
  openCellDatabase,
} from "../src/index.js";
import { withImmediateRetries } from "../src/test/index.js";

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
/** The fake clock every suite stamps rows with: 2026-11-27 07:00 UTC. */
export function fakeClock(): FakeClock {
  return new FakeClock(Date.parse("2026-11-27T07:00:00Z"));
}

/** Small pools: many test files share one MariaDB (max_connections 151) with the other packages' tests. */
export const testPool = { max_pool_size: 2, max_overflow: 6 };

/** A migrated cell database on a fresh database, closed and dropped by the returned dispose. */
export async function migratedCell(prefix: string, deps: DatabaseDeps = {}) {
  const fresh = await freshDatabase(prefix);
  const cell: CellDatabase = openCellDatabase(
    { connection: fresh.url, ...testPool },
    { ...deps, clock: withImmediateRetries(deps.clock ?? systemClock) },
  );
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
  const api: ApiDatabase = openApiDatabase(
    { connection: fresh.url, ...testPool },
    { ...deps, clock: withImmediateRetries(deps.clock ?? systemClock) },
  );
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
