import { ConfigError, type NovaConfig, parseGroup } from "@nova/config";
import { NovaError } from "@nova/core";
import {
  ApiDatabase,
  type CellDatabase,
  type DatabaseDeps,
  type DatabaseObserver,
  type DatabaseOptions,
  databaseOptionsSchema,
  openApiDatabase,
  openCellDatabase,
} from "@nova/db";
import { CELL0_UUID, type QuotaResource } from "@nova/objects";

/** The databases a service of one cell uses: the API database, the cell's, and cell0. */
export interface NovaDatabases {
  /** The API database (flavors, build requests, cell and host mappings). */
  apiDb: ApiDatabase;
  /** The database of this service's cell (instances, services, compute nodes). */
  cellDb: CellDatabase;
  /** cell0's database, where builds that could not be scheduled land in ERROR. */
  cell0Db: CellDatabase;
  /** The cell's uuid in the cell mappings (cell0's when `[database]` names cell0's database). */
  cellUuid: string;
  /** Closes the connections of all three databases. */
  close(): Promise<void>;
}

/** The databases are reachable but not set up for a service (no cell mapped): run nova-manage first. */
export class DatabaseConfigError extends NovaError {
  /** Builds the error with what is missing and the nova-manage command that sets it up. */
  constructor(message: string) {
    super("DATABASE_CONFIG", message);
  }
}

/**
 * Nova's cell0 default (`nova-manage cell_v2 map_cell0`): the cell database URL with `_cell0` added to the
 * database name (for SQLite files, to the file's base name).
 */
export function cell0Url(cellUrl: string): string {
  if (cellUrl === "sqlite://" || cellUrl === "sqlite:///:memory:") return cellUrl;
  const q = cellUrl.indexOf("?");
  const base = q < 0 ? cellUrl : cellUrl.slice(0, q);
  const query = q < 0 ? "" : cellUrl.slice(q);
  if (base.startsWith("sqlite:")) {
    const m = /^(.*?)(\.[a-z0-9]+)?$/i.exec(base);
    return `${m?.[1] ?? base}_cell0${m?.[2] ?? ""}${query}`;
  }
  return `${base}_cell0${query}`;
}

/**
 * `[database]` or `[api_database]` as @nova/db declares them (oslo.db's names and defaults: pool sizes, recycle
 * time, the db_*retry* options); a bad value is a ConfigError naming the group and option.
 */
export function databaseOptions(
  config: Pick<NovaConfig, "raw">,
  group: "database" | "api_database",
): DatabaseOptions {
  if (config.raw[group]?.connection === undefined) {
    throw new ConfigError(
      "CONFIG_INVALID",
      `Missing value for option connection in group [${group}]: required`,
      {
        group,
        option: "connection",
      },
    );
  }
  return parseGroup(config, group, (raw) => databaseOptionsSchema.parse(raw));
}

/**
 * Opens the databases from `[api_database]` and `[database]`; with `sync`, migrates them to head and makes
 * sure the cell mappings (cell0 and this cell) exist, as `nova-manage cell_v2 simple_cell_setup` would.
 */
export async function openNovaDatabases(
  config: Pick<NovaConfig, "DEFAULT" | "raw"> & Partial<Pick<NovaConfig, "quota">>,
  opts: {
    sync?: boolean;
    createMappings?: boolean;
    /** The observer of each database (`api`, `cell`, `cell0`): a process's telemetry gives them. */
    observer?: (database: "api" | "cell" | "cell0") => DatabaseObserver | undefined;
  } = {},
): Promise<NovaDatabases> {
  const createMappings = opts.createMappings ?? opts.sync ?? false;
  const apiOptions = databaseOptions(config, "api_database");
  const cellOptions = databaseOptions(config, "database");
  const cellUrl = cellOptions.connection;
  const observed = (database: "api" | "cell" | "cell0"): DatabaseDeps => {
    const observer = opts.observer?.(database);
    return observer ? { observer } : {};
  };
  const apiDb = openApiDatabase(apiOptions, observed("api"), config.quota ? quotaDefaults(config.quota) : {});
  const cellDb = openCellDatabase(cellOptions, observed("cell"));
  const cell0Db = openCellDatabase({ ...cellOptions, connection: cell0Url(cellUrl) }, observed("cell0"));
  const close = async () => {
    await Promise.allSettled([apiDb.close(), cellDb.close(), cell0Db.close()]);
  };
  try {
    if (opts.sync) {
      await apiDb.sync();
      await cellDb.sync();
      await cell0Db.sync();
    }
    if (createMappings) await apiDb.mappings.ensureCell0(config.DEFAULT.transport_url, cell0Url(cellUrl));
    const mapped = await apiDb.mappings.listCells();
    // (An in-memory SQLite URL names every database alike: it is never taken for cell0's.)
    const distinctCell0 = cell0Url(cellUrl) !== cellUrl;
    if (distinctCell0 && mapped.some((c) => c.uuid === CELL0_UUID && c.database_connection === cellUrl)) {
      // `[database]` is cell0's: a super conductor (or a scheduler beside it), as Nova's devstack sets it up.
      await cell0Db.close();
      await cellDb.db.warm();
      return {
        apiDb,
        cellDb,
        cell0Db: cellDb,
        cellUuid: CELL0_UUID,
        close: async () => {
          await Promise.allSettled([apiDb.close(), cellDb.close()]);
        },
      };
    }
    const cells = mapped.filter((c) => c.name !== "cell0");
    let cell = cells.find((c) => c.database_connection === cellUrl) ?? cells[0];
    if (!cell && !createMappings) {
      throw new DatabaseConfigError(
        "No cell is mapped in the API database: run `nova-manage cell_v2 simple_cell_setup` (or start with --sync)",
      );
    }
    if (!cell) {
      cell = await apiDb.mappings.createCell({
        name: "cell1",
        transport_url: config.DEFAULT.transport_url,
        database_connection: cellUrl,
      });
    }
    // The pools' connections are opened now rather than by the first requests (each would pay a connect
    // and a handshake); cell0 is rarely used and opens its connections on demand.
    await Promise.all([apiDb.db.warm(), cellDb.db.warm()]);
    return { apiDb, cellDb, cell0Db, cellUuid: cell.uuid, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `[quota]` as the API database's default limits (Nova's `injected_file_path_length` flag names `injected_file_path_bytes`). */
export function quotaDefaults(quota: NovaConfig["quota"]): Partial<Record<QuotaResource, number>> {
  const { injected_file_path_length, ...rest } = quota;
  return { ...rest, injected_file_path_bytes: injected_file_path_length };
}

export { type CellConnectionOpeners, CellConnections } from "./cell-connections.js";
export { ApiDatabase };
