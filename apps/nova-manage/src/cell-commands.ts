import { hasErrorCode } from "@nova/core";
import {
  type ApiDatabase,
  type CellDatabaseAccess,
  DuplicateEntryError,
  discoverHosts,
  type InstanceRecord,
} from "@nova/db";
import { parseTransportUrl } from "@nova/messaging";
import { CELL0_UUID, type CellMapping } from "@nova/objects";
import type { NovaConf } from "./nova-conf.js";
import { prettyTable } from "./pretty-table.js";

/** What the cell_v2 commands need: the API database, a way into each cell's database, config, output. */
export interface CellCommandContext {
  api: ApiDatabase;
  inCell: CellDatabaseAccess;
  conf: NovaConf;
  out: (line: string) => void;
}

/** Nova's mask_passwd_in_url: the netloc from its first ":" to its last "@" becomes ":****@". */
export function maskPassword(url: string): string {
  const m = /^([^:/?#]+:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!m) return url;
  return `${m[1]}${m[2]!.replace(/:.*@/, ":****@")}${m[3]}`;
}

// Nova's _validate_transport_url: the option or [DEFAULT] transport_url, parsed; undefined (and a line
// saying why) when there is none or it does not parse.
function transportUrl(ctx: CellCommandContext, given: string | undefined) {
  let url = given;
  if (!url) {
    const fromConf = ctx.conf.DEFAULT?.transport_url;
    if (!fromConf) {
      ctx.out(
        "Must specify --transport-url if [DEFAULT]/transport_url is not set in the configuration file.",
      );
      return undefined;
    }
    ctx.out(
      "--transport-url not provided in the command line, using the value [DEFAULT]/transport_url from the configuration file",
    );
    url = fromConf;
  }
  try {
    if (url !== "none:///") parseTransportUrl(url);
  } catch (err) {
    ctx.out(`Invalid transport URL: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  return url;
}

function databaseConnection(ctx: CellCommandContext, given: string | undefined) {
  if (given) return given;
  const fromConf = ctx.conf.database?.connection;
  if (!fromConf) {
    ctx.out(
      "Must specify --database_connection if [database]/connection is not set in the configuration file.",
    );
    return undefined;
  }
  ctx.out(
    "--database_connection not provided in the command line, using the value [database]/connection from the configuration file",
  );
  return fromConf;
}

// Two cells sharing a broker or a database would see each other's computes: refused, as Nova does.
async function clashes(
  ctx: CellCommandContext,
  self: CellMapping | undefined,
  transport: string | undefined,
  database: string | undefined,
): Promise<boolean> {
  for (const cell of await ctx.api.mappings.listCells()) {
    if (self && cell.uuid === self.uuid) continue;
    if (cell.database_connection === database || cell.transport_url === transport) {
      ctx.out(
        `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${cell.uuid}.`,
      );
      return true;
    }
  }
  return false;
}

async function findCell(ctx: CellCommandContext, uuid: string): Promise<CellMapping | undefined> {
  try {
    return await ctx.api.mappings.getCell(uuid);
  } catch (err) {
    if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    ctx.out(`Cell with uuid ${uuid} was not found.`);
    return undefined;
  }
}

/** `cell_v2 create_cell`: 0 created, 1 a URL missing or invalid, 2 a URL another cell has. */
export async function createCell(
  ctx: CellCommandContext,
  opts: {
    name?: string;
    transportUrl?: string;
    database_connection?: string;
    verbose?: boolean;
    disabled?: boolean;
  },
): Promise<number> {
  const transport = transportUrl(ctx, opts.transportUrl);
  if (!transport) return 1;
  const database = databaseConnection(ctx, opts.database_connection);
  if (!database) return 1;
  if (await clashes(ctx, undefined, transport, database)) return 2;
  const cell = await ctx.api.mappings.createCell({
    name: opts.name ?? null,
    transport_url: transport,
    database_connection: database,
    disabled: opts.disabled === true,
  });
  if (opts.verbose) ctx.out(cell.uuid);
  return 0;
}

/** `cell_v2 list_cells`: the cells by name, URLs masked unless `--verbose`. */
export async function listCells(ctx: CellCommandContext, opts: { verbose?: boolean }): Promise<number> {
  const cells = [...(await ctx.api.mappings.listCells())].sort((a, b) =>
    (a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : 0,
  );
  const show = opts.verbose ? (u: string) => u : maskPassword;
  const rows = cells.map((c) => [
    c.name ?? "",
    c.uuid,
    show(c.transport_url),
    show(c.database_connection),
    c.disabled,
  ]);
  for (const line of prettyTable(["Name", "UUID", "Transport URL", "Database Connection", "Disabled"], rows))
    ctx.out(line);
  return 0;
}

/**
 * `cell_v2 delete_cell`: 0 deleted; 1 no such cell; 2 hosts mapped (without --force); 3 instances alive in
 * the cell; 4 only deleted instances' mappings remain (without --force). With --force the host and instance
 * mappings go too and the cell's compute nodes are unmarked, so they can be discovered into another cell.
 */
export async function deleteCell(
  ctx: CellCommandContext,
  opts: { cell_uuid: string; force?: boolean },
): Promise<number> {
  const cell = await findCell(ctx, opts.cell_uuid);
  if (!cell) return 1;
  const hosts = await ctx.api.mappings.listHostMappings(cell.uuid);
  if (hosts.length > 0 && !opts.force) {
    ctx.out(`There are existing hosts mapped to cell with uuid ${cell.uuid}.`);
    return 2;
  }
  const mapped = await ctx.api.mappings.listInstanceUuidsInCell(cell.uuid);
  if (mapped.length > 0) {
    const alive = await ctx.inCell(cell, (db) => db.instances.list({}, { limit: 1 }));
    if (alive.length > 0) {
      ctx.out(`There are existing instances mapped to cell with uuid ${cell.uuid}.`);
      return 3;
    }
    if (!opts.force) {
      ctx.out(
        `There are instance mappings to cell with uuid ${cell.uuid}, but all instances have been deleted in the cell.`,
      );
      ctx.out("So execute 'nova-manage db archive_deleted_rows' to delete the instance mappings.");
      return 4;
    }
  }
  if (hosts.length > 0) {
    await ctx.inCell(cell, async (db) =>
      db.computeNodes.setMapped(
        (await db.computeNodes.list()).map((n) => n.id),
        false,
      ),
    );
  }
  await ctx.api.mappings.deleteCell(cell.uuid);
  return 0;
}

/**
 * `cell_v2 update_cell`: 0 updated; 1 no such cell; 2 an invalid transport URL; 3 a URL another cell has; 4 --disable with --enable;
 * 5 cell0 enabled or disabled. Running services see new URLs on their next SIGHUP.
 */
export async function updateCell(
  ctx: CellCommandContext,
  opts: {
    cell_uuid: string;
    name?: string;
    transportUrl?: string;
    database_connection?: string;
    disable?: boolean;
    enable?: boolean;
  },
): Promise<number> {
  const cell = await findCell(ctx, opts.cell_uuid);
  if (!cell) return 1;
  // Absent URLs keep the cell's, as Nova's help says (its code takes the config file's instead, which would
  // silently point every updated cell at the local one).
  let transport: string | undefined;
  if (opts.transportUrl) {
    transport = transportUrl(ctx, opts.transportUrl);
    if (!transport) return 2;
  }
  const database = opts.database_connection || undefined;
  if (await clashes(ctx, cell, transport, database)) return 3;
  if (opts.disable && opts.enable) {
    ctx.out("Cell cannot be disabled and enabled at the same time.");
    return 4;
  }
  let disabled: boolean | undefined;
  if (opts.disable || opts.enable) {
    if (cell.uuid === CELL0_UUID) {
      ctx.out("Cell0 cannot be disabled.");
      return 5;
    }
    const want = opts.disable === true;
    if (want === cell.disabled) ctx.out(`Cell ${cell.uuid} is already ${want ? "disabled" : "enabled"}`);
    else disabled = want;
  }
  await ctx.api.mappings.updateCell(cell.uuid, {
    ...(opts.name ? { name: opts.name } : {}),
    ...(transport ? { transport_url: transport } : {}),
    ...(database ? { database_connection: database } : {}),
    ...(disabled !== undefined ? { disabled } : {}),
  });
  return 0;
}

/** `cell_v2 list_hosts`: the host mappings of one cell or all; 1 when the cell does not exist. */
export async function listHosts(ctx: CellCommandContext, opts: { cell_uuid?: string }): Promise<number> {
  if (opts.cell_uuid !== undefined && !(await findCell(ctx, opts.cell_uuid))) return 1;
  const hosts = await ctx.api.mappings.listHostMappings(opts.cell_uuid);
  const rows = hosts.map((h) => [h.cell_mapping.name ?? "", h.cell_mapping.uuid, h.host]);
  for (const line of prettyTable(["Cell Name", "Cell UUID", "Hostname"], rows)) ctx.out(line);
  return 0;
}

/**
 * `cell_v2 discover_hosts`: maps the new compute hosts of every cell (or one); 2 when another discovery
 * mapped a host meanwhile; with --strict, 1 when no host was new.
 */
export async function discoverHostsCommand(
  ctx: CellCommandContext,
  opts: { cell_uuid?: string; verbose?: boolean; strict?: boolean; byService?: boolean },
): Promise<number> {
  try {
    const hosts = await discoverHosts(ctx.api, ctx.inCell, {
      cellUuid: opts.cell_uuid,
      byService: opts.byService === true,
      status: opts.verbose ? ctx.out : undefined,
    });
    return opts.strict ? (hosts.length === 0 ? 1 : 0) : 0;
  } catch (err) {
    if (!DuplicateEntryError.isInstance(err)) throw err;
    ctx.out(
      `ERROR: Duplicate host mapping was encountered. This command should be run once after all compute hosts have been deployed and should not be run in parallel. When run in parallel, the commands will collide with each other trying to map the same hosts in the database at the same time. Error: ${err.message}`,
    );
    return 2;
  }
}

/**
 * `cell_v2 verify_instance`: 0 mapped and alive (says where); 1 no mapping; 2 mapped to no cell yet;
 * 3 deleted but mapped; 4 gone from its cell (archived) but mapped.
 */
export async function verifyInstance(
  ctx: CellCommandContext,
  opts: { uuid: string; quiet?: boolean },
): Promise<number> {
  const say = (line: string) => {
    if (!opts.quiet) ctx.out(line);
  };
  let mapping: Awaited<ReturnType<ApiDatabase["mappings"]["getInstanceMapping"]>>;
  try {
    mapping = await ctx.api.mappings.getInstanceMapping(opts.uuid);
  } catch (err) {
    if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    say(`Instance ${opts.uuid} is not mapped to a cell (upgrade is incomplete) or instance does not exist`);
    return 1;
  }
  const cell = mapping.cell_mapping as CellMapping | null;
  if (!cell) {
    say(`Instance ${opts.uuid} is not mapped to a cell`);
    return 2;
  }
  const instance = await ctx.inCell(cell, async (db): Promise<InstanceRecord | undefined> => {
    try {
      return await db.instances.get(opts.uuid, { readDeleted: true });
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) return undefined;
      throw err;
    }
  });
  if (!instance) {
    say(`The instance with uuid ${opts.uuid} has been archived.`);
    say("However its instance_mapping remains.");
    return 4;
  }
  if (instance.deleted) {
    say(`The instance with uuid ${opts.uuid} has been deleted.`);
    say(
      "Execute `nova-manage db archive_deleted_rows` command to archive this deleted instance and remove its instance_mapping.",
    );
    return 3;
  }
  say(`Instance ${opts.uuid} is in cell: ${cell.name ?? "None"} (${cell.uuid})`);
  return 0;
}

// Nova keeps map_instances' progress in a fake instance mapping of this project, its uuid's dashes spaced.
const MARKER_PROJECT = "INSTANCE_MIGRATION_MARKER";

/**
 * `cell_v2 map_instances`: maps a cell's unmapped instances (deleted ones too, oldest first) in batches of
 * `--max-count` (50 and all of them by default); 0 when all are mapped, 1 when a run stopped at max-count
 * (the next run continues there unless `--reset`), 127 for a max-count that is not positive.
 */
export async function mapInstances(
  ctx: CellCommandContext,
  opts: { cell_uuid: string; maxCount?: string; reset?: boolean },
): Promise<number> {
  let batch = 50;
  const all = opts.maxCount === undefined;
  if (!all) {
    batch = /^\s*-?\d+\s*$/.test(opts.maxCount ?? "") ? Number(opts.maxCount) : -1;
    if (batch < 1) {
      ctx.out("Must supply a positive value for max-count");
      return 127;
    }
  }
  const cell = await ctx.api.mappings.getCell(opts.cell_uuid);
  const previous = await ctx.api.mappings.listInstanceMappings(MARKER_PROJECT, {
    includeQueuedForDelete: true,
  });
  let marker: string | undefined = previous[0]?.instance_uuid.replaceAll(" ", "-");
  if (opts.reset) marker = undefined;
  for (const m of previous) await ctx.api.mappings.deleteInstanceMapping(m.instance_uuid);
  let next: string | undefined;
  do {
    const page = await ctx.inCell(cell, (db) =>
      db.instances.list(
        { deleted: "any" },
        {
          sortKeys: ["created_at"],
          sortDirs: ["asc"],
          limit: batch,
          ...(marker !== undefined ? { marker } : {}),
        },
        { readDeleted: true },
      ),
    );
    await ctx.api.mappings.mapInstancesToCell(
      cell.uuid,
      page.map((i) => ({ instance_uuid: i.uuid, project_id: i.project_id ?? "", user_id: i.user_id ?? "" })),
    );
    next = page.length < batch ? undefined : page[page.length - 1]!.uuid;
    marker = next;
  } while (all && next !== undefined);
  if (next === undefined) return 0;
  await ctx.api.mappings.createInstanceMapping({
    instance_uuid: next.replaceAll("-", " "),
    project_id: MARKER_PROJECT,
    user_id: MARKER_PROJECT,
  });
  return 1;
}
