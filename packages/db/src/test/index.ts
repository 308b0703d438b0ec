// Helpers other packages use in their tests: migrated in-memory databases, no server needed.
import { systemClock } from "@nova/core";
import { type ApiDatabase, openApiDatabase } from "../api-database.js";
import { type CellDatabase, openCellDatabase } from "../cell-database.js";
import type { DatabaseDeps } from "../nova-database.js";
import { withImmediateRetries } from "./immediate-retries.js";

export { withImmediateRetries };

/**
 * A migrated in-memory API database and cell database (SQLite), for conductor/API tests. Retries do not wait
 * unless `deps.clock` says otherwise.
 */
export async function createMemoryDatabases(deps: DatabaseDeps = {}): Promise<{
  api: ApiDatabase;
  cell: CellDatabase;
  close(): Promise<void>;
}> {
  const withClock = { ...deps, clock: deps.clock ?? withImmediateRetries(systemClock) };
  const api = openApiDatabase("sqlite://", withClock);
  const cell = openCellDatabase("sqlite://", withClock);
  await api.sync();
  await cell.sync();
  return {
    api,
    cell,
    close: async () => {
      await api.close();
      await cell.close();
    },
  };
}
