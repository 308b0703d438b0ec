import { CELL0_UUID, type CellMapping, type HostMapping } from "@nova/objects";
import type { ApiDatabase } from "./api-database.js";
import type { CellDatabase } from "./cell-database.js";

/** Where a caller reaches a cell's database from its mapping (a pooled registry, or one opened per use). */
export type CellDatabaseAccess = <T>(cell: CellMapping, fn: (db: CellDatabase) => Promise<T>) => Promise<T>;

/** What `discover_hosts` is asked. */
export interface HostDiscoveryOptions {
  /** Only this cell (`--cell_uuid`); every cell but cell0 otherwise. */
  cellUuid?: string | undefined;
  /** Map the hosts of nova-compute services rather than of unmapped compute nodes (`--by-service`). */
  byService?: boolean | undefined;
  /** Progress lines, Nova's wording (`--verbose` prints them). */
  status?: ((line: string) => void) | undefined;
}

/**
 * Nova's `host_mapping.discover_hosts`: maps to its cell every compute host a cell database knows and the API
 * database does not, and returns the new mappings. A host mapped concurrently by another discovery surfaces as
 * DuplicateEntryError (Nova's HostMappingExists): discovery is meant to run from one place at a time.
 */
export async function discoverHosts(
  api: ApiDatabase,
  inCell: CellDatabaseAccess,
  options: HostDiscoveryOptions = {},
): Promise<HostMapping[]> {
  const status = options.status ?? (() => {});
  let cells: CellMapping[];
  if (options.cellUuid !== undefined) cells = [await api.mappings.getCell(options.cellUuid)];
  else {
    cells = await api.mappings.listCells();
    status(`Found ${cells.length} cell mappings.`);
  }
  const mapped: HostMapping[] = [];
  for (const cell of cells) {
    if (cell.uuid === CELL0_UUID) {
      status("Skipping cell0 since it does not contain hosts.");
      continue;
    }
    status(
      cell.name
        ? `Getting computes from cell '${cell.name}': ${cell.uuid}`
        : `Getting computes from cell: ${cell.uuid}`,
    );
    const added = await inCell(cell, (db) =>
      options.byService ? mapServiceHosts(api, db, cell, status) : mapNodeHosts(api, db, cell, status),
    );
    status(`Found ${added.length} unmapped computes in cell: ${cell.uuid}`);
    mapped.push(...added);
  }
  return mapped;
}

async function mappedHosts(api: ApiDatabase, hosts: readonly string[]): Promise<Set<string>> {
  if (hosts.length === 0) return new Set();
  return new Set((await api.mappings.listHostMappings()).map((m) => m.host).filter((h) => hosts.includes(h)));
}

async function mapNodeHosts(
  api: ApiDatabase,
  db: CellDatabase,
  cell: CellMapping,
  status: (line: string) => void,
): Promise<HostMapping[]> {
  const nodes = (await db.computeNodes.listUnmapped()).filter((n) => n.host);
  const known = await mappedHosts(
    api,
    nodes.map((n) => n.host as string),
  );
  const added: HostMapping[] = [];
  const done: number[] = [];
  for (const node of nodes) {
    const host = node.host as string;
    status(`Checking host mapping for compute host '${host}': ${node.uuid}`);
    // A host with several nodes is mapped once; its other nodes are marked as the first is (as Nova, whose
    // lookup finds the mapping the first node created).
    if (!known.has(host)) {
      status(`Creating host mapping for compute host '${host}': ${node.uuid}`);
      added.push(await api.mappings.mapHost(host, cell.uuid));
      known.add(host);
      done.push(node.id);
    }
  }
  // Nova marks only nodes whose host it just mapped; the others stay unmapped and are checked again next time.
  await db.computeNodes.setMapped(done, true);
  return added;
}

async function mapServiceHosts(
  api: ApiDatabase,
  db: CellDatabase,
  cell: CellMapping,
  status: (line: string) => void,
): Promise<HostMapping[]> {
  const services = (await db.services.list({ binary: "nova-compute" })).filter((s) => s.host);
  const known = await mappedHosts(
    api,
    services.map((s) => s.host as string),
  );
  const added: HostMapping[] = [];
  for (const s of services) {
    const host = s.host as string;
    if (known.has(host)) continue;
    status(`Creating host mapping for service ${host}`);
    added.push(await api.mappings.mapHost(host, cell.uuid));
    known.add(host);
  }
  return added;
}
