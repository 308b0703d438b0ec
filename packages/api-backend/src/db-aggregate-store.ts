import type { RequestContext } from "@nova/api";
import {
  AggregateHostExistsError,
  AggregateHostNotFoundError,
  AggregateNameExistsError,
  AggregateNotFoundError,
  type AggregateRecord,
  type AggregateStore,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import type { AggregateRecord as AggregateRow, ApiDatabase, CellDatabase } from "@nova/db";
import type { NovaContext, SchedulerAPI } from "@nova/rpcapi";

/** The API database's aggregates, with compute hosts and instances read from the cell database. */
export class DbAggregateStore implements AggregateStore {
  /**
   * A store over the API database and the cell the compute hosts are in; changes are cast to the schedulers
   * when a scheduler client is given.
   */
  constructor(
    private readonly deps: {
      apiDb: ApiDatabase;
      cellDb: CellDatabase;
      scheduler?: SchedulerAPI | undefined;
      novaContext: (ctx: RequestContext) => NovaContext;
    },
  ) {}

  /** Nova's update_aggregates / delete_aggregate fanout casts to every scheduler. */
  async changed(ctx: RequestContext, aggregate: AggregateRecord, deleted: boolean): Promise<void> {
    const scheduler = this.deps.scheduler;
    if (!scheduler) return;
    const nova = this.deps.novaContext(ctx);
    if (deleted) await scheduler.deleteAggregate(nova, aggregate);
    else await scheduler.updateAggregates(nova, [aggregate]);
  }

  /** Every aggregate. */
  async list(): Promise<AggregateRecord[]> {
    return (await this.deps.apiDb.aggregates.list()).map(toRecord);
  }

  /** One aggregate. */
  async get(id: number): Promise<AggregateRecord> {
    return toRecord(await this.guard(id, () => this.deps.apiDb.aggregates.get(id)));
  }

  /** Creates one (a taken name is Nova's AggregateNameExists). */
  async create(name: string, metadata: Record<string, string>): Promise<AggregateRecord> {
    try {
      return toRecord(await this.deps.apiDb.aggregates.create({ name, metadata }));
    } catch (err) {
      if (hasErrorCode(err, "DB_DUPLICATE")) throw new AggregateNameExistsError(name);
      throw err;
    }
  }

  /** Renames one. */
  async rename(id: number, name: string): Promise<AggregateRecord> {
    try {
      return toRecord(await this.guard(id, () => this.deps.apiDb.aggregates.rename(id, name)));
    } catch (err) {
      if (hasErrorCode(err, "DB_DUPLICATE")) throw new AggregateNameExistsError(name);
      throw err;
    }
  }

  /** Sets metadata keys (null deletes). */
  async updateMetadata(id: number, changes: Record<string, string | null>): Promise<AggregateRecord> {
    return toRecord(await this.guard(id, () => this.deps.apiDb.aggregates.updateMetadata(id, changes)));
  }

  /** Adds a host. */
  async addHost(id: number, host: string): Promise<AggregateRecord> {
    try {
      return toRecord(await this.guard(id, () => this.deps.apiDb.aggregates.addHost(id, host)));
    } catch (err) {
      if (hasErrorCode(err, "DB_DUPLICATE")) throw new AggregateHostExistsError(id, host);
      throw err;
    }
  }

  /** Removes a host. */
  async removeHost(id: number, host: string): Promise<AggregateRecord> {
    try {
      return toRecord(await this.deps.apiDb.aggregates.removeHost(id, host));
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) {
        const entity = (err as { entity?: string }).entity;
        throw entity === "AggregateHost"
          ? new AggregateHostNotFoundError(id, host)
          : new AggregateNotFoundError(id);
      }
      throw err;
    }
  }

  /** Deletes one. */
  async delete(id: number): Promise<void> {
    await this.guard(id, () => this.deps.apiDb.aggregates.delete(id));
  }

  /** Whether the cell has a nova-compute service on the host. */
  async isComputeHost(host: string): Promise<boolean> {
    return (await this.deps.cellDb.services.list({ host, binary: "nova-compute" })).length > 0;
  }

  /** Live instances on the hosts. */
  async countInstancesOnHosts(hosts: readonly string[]): Promise<number> {
    const counts = await Promise.all(hosts.map((h) => this.deps.cellDb.instances.listByHost(h)));
    return counts.reduce((n, list) => n + list.length, 0);
  }

  // The repository's not-found as Nova's AggregateNotFound.
  private async guard<T>(id: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) throw new AggregateNotFoundError(id);
      throw err;
    }
  }
}

/** A repository row as the API's record. */
export function toRecord(a: AggregateRow): AggregateRecord {
  return {
    id: a.id,
    uuid: a.uuid,
    name: a.name,
    hosts: a.hosts,
    metadata: a.metadata,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
  };
}
