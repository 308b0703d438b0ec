import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";

/** Fresh in-memory API and cell databases at head, the cell mapped, and flavor 1 (m1.tiny). */
export async function openTestDatabases(): Promise<{
  apiDb: ApiDatabase;
  cellDb: CellDatabase;
  cellUuid: string;
}> {
  const apiDb = openApiDatabase("sqlite://");
  const cellDb = openCellDatabase("sqlite://");
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
