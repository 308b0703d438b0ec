// Helpers other packages use in their tests: migrated in-memory databases, no server needed.
import { type ApiDatabase, openApiDatabase } from "../api-database.js";
import { type CellDatabase, openCellDatabase } from "../cell-database.js";
import type { DatabaseDeps } from "../nova-database.js";

/** A migrated in-memory API database and cell database (SQLite), for conductor/API tests. */
export async function createMemoryDatabases(deps: DatabaseDeps = {}): Promise<{
  api: ApiDatabase;
  cell: CellDatabase;
  close(): Promise<void>;
}> {
  const api = openApiDatabase("sqlite://", deps);
  const cell = openCellDatabase("sqlite://", deps);
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
