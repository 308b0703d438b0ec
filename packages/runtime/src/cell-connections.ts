import type { EventEmitter } from "node:events";
import type { Logger } from "@nova/core";
import { type ApiDatabase, type CellDatabase, type CellDatabaseAccess, openCellDatabase } from "@nova/db";
import type { Transport } from "@nova/messaging";
import type { CellMapping } from "@nova/objects";

/** How the registry opens what a cell mapping names; injected so tests and the all-in-one choose. */
export interface CellConnectionOpeners {
  /** Opens a cell's database pool from its mapping's database_connection (the mapping names the cell). */
  database?: (url: string, cell: CellMapping) => CellDatabase;
  /** Opens a cell's RPC transport from its mapping's transport_url. */
  transport: (url: string) => Transport;
}

interface Open<T> {
  url: string;
  handle: T;
}

/**
 * One database pool and one transport per cell, keyed by the cell's uuid, opened on first use from the
 * cell mappings and reused by every request after (Nova's CELL_CACHE and its cached transports). A cell
 * added, changed or removed is picked up by refresh(), which reloadOnSighup() calls on SIGHUP as Nova does:
 * a cell whose URL changed gets a new pool or transport, and the old one is closed.
 */
export class CellConnections {
  private mappings = new Map<string, CellMapping>();
  private loaded: Promise<void> | undefined;
  private readonly databases = new Map<string, Open<CellDatabase>>();
  private readonly transports = new Map<string, Open<Transport>>();
  private readonly openDatabase: (url: string, cell: CellMapping) => CellDatabase;

  /** A registry over the API database's cell mappings; nothing is opened until asked for. */
  constructor(
    private readonly apiDb: ApiDatabase,
    private readonly openers: CellConnectionOpeners,
    private readonly logger: Logger,
  ) {
    this.openDatabase = openers.database ?? ((url) => openCellDatabase(url));
  }

  /** Every cell mapping (cell0 included), as last read from the API database. */
  async cells(): Promise<CellMapping[]> {
    await this.load();
    return [...this.mappings.values()];
  }

  /** A cell's mapping by uuid; NotFoundError (DB_NOT_FOUND) when the API database has none. */
  async cell(uuid: string): Promise<CellMapping> {
    await this.load();
    const cell = this.mappings.get(uuid);
    if (cell) return cell;
    // A cell created after the last refresh: read it, as Nova's target_cell does with a fresh mapping.
    const fresh = await this.apiDb.mappings.getCell(uuid);
    this.mappings.set(uuid, fresh);
    return fresh;
  }

  /** The pooled database of a cell, opened on first use. */
  async database(cellUuid: string): Promise<CellDatabase> {
    const cell = await this.cell(cellUuid);
    return this.reuse(this.databases, cell.uuid, cell.database_connection, (url) =>
      this.openDatabase(url, cell),
    );
  }

  /** The transport to a cell's broker, opened on first use. */
  async transport(cellUuid: string): Promise<Transport> {
    const cell = await this.cell(cellUuid);
    return this.reuse(this.transports, cell.uuid, cell.transport_url, this.openers.transport);
  }

  /** Runs `fn` on the pooled database of the cell a mapping names (what discover_hosts and fan-outs take). */
  readonly withCell: CellDatabaseAccess = async (cell, fn) => fn(await this.database(cell.uuid));

  /**
   * Re-reads the cell mappings; closes the pools and transports of cells that are gone or whose URL changed
   * (the next use opens the new one). Returns the cells now known.
   */
  async refresh(): Promise<CellMapping[]> {
    const cells = await this.apiDb.mappings.listCells();
    this.mappings = new Map(cells.map((c) => [c.uuid, c]));
    this.loaded = Promise.resolve();
    const stale: Promise<void>[] = [];
    for (const [uuid, open] of this.databases) {
      if (this.mappings.get(uuid)?.database_connection !== open.url) {
        this.databases.delete(uuid);
        stale.push(open.handle.close());
      }
    }
    for (const [uuid, open] of this.transports) {
      if (this.mappings.get(uuid)?.transport_url !== open.url) {
        this.transports.delete(uuid);
        stale.push(open.handle.close());
      }
    }
    for (const r of await Promise.allSettled(stale)) {
      if (r.status === "rejected")
        this.logger.warn({ err: r.reason }, "closing a stale cell connection failed");
    }
    return cells;
  }

  /**
   * Refreshes on every SIGHUP from `signals` (the process by default), then runs `after` (what else the service
   * re-reads from the new mappings); returns what stops listening.
   */
  reloadOnSighup(
    signals: Pick<EventEmitter, "on" | "off"> = process,
    after?: () => Promise<void>,
  ): () => void {
    const onHup = () => {
      this.refresh()
        .then(async (cells) => {
          this.logger.info({ cells: cells.length }, "cell mappings reloaded on SIGHUP");
          await after?.();
        })
        .catch((err: unknown) => this.logger.error({ err }, "reloading the cell mappings on SIGHUP failed"));
    };
    signals.on("SIGHUP", onHup);
    return () => {
      signals.off("SIGHUP", onHup);
    };
  }

  /** Closes every pool and transport opened (not the API database, which the caller owns). */
  async close(): Promise<void> {
    const all = [
      ...[...this.databases.values()].map((o) => o.handle.close()),
      ...[...this.transports.values()].map((o) => o.handle.close()),
    ];
    this.databases.clear();
    this.transports.clear();
    await Promise.allSettled(all);
  }

  private load(): Promise<void> {
    this.loaded ??= this.refresh().then(
      () => undefined,
      (err: unknown) => {
        this.loaded = undefined; // try again on the next use rather than caching the failure
        throw err;
      },
    );
    return this.loaded;
  }

  private reuse<T>(cache: Map<string, Open<T>>, uuid: string, url: string, open: (url: string) => T): T {
    const have = cache.get(uuid);
    if (have && have.url === url) return have.handle;
    const handle = open(url);
    cache.set(uuid, { url, handle });
    return handle;
  }
}
