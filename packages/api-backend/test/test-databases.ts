import type { Clock } from "@nova/core";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";

/** Fresh in-memory API and cell databases at head, the cell mapped, and flavor 1 (m1.tiny); `clock` stamps rows. */
export async function openTestDatabases(deps: { clock?: Clock } = {}): Promise<{
  apiDb: ApiDatabase;
  cellDb: CellDatabase;
  cellUuid: string;
}> {
  const apiDb = openApiDatabase("sqlite://", deps);
  const cellDb = openCellDatabase("sqlite://", deps);
  await apiDb.sync();
  await cellDb.sync();
  const cell = await apiDb.mappings.createCell({
    name: "cell1",
    transport_url: "fake://",
    database_connection: "sqlite://",
  });
  await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
  return { apiDb, cellDb, cellUuid: cell.uuid };
}
