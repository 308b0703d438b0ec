import { AZ_METADATA_KEY, aggregateZone, zoneChangeRefusal } from "@nova/objects";
import type { AggregateBackend, AggregateRecord, AggregateUpdate } from "./aggregate-backend.js";
import {
  type AggregateAction,
  ComputeHostNotFoundError,
  InvalidAggregateActionError,
} from "./errors/aggregate-errors.js";
import type { RequestContext } from "./request-context.js";

/**
 * Where aggregates are kept: the API database, or memory in the test double. Each method throws
 * AggregateNotFoundError for an unknown id, and the store-level errors its comment names.
 */
export interface AggregateStore {
  /** Every aggregate, by id. */
  list(): Promise<AggregateRecord[]>;
  /** One aggregate. */
  get(id: number): Promise<AggregateRecord>;
  /** Creates one; AggregateNameExistsError for a taken name. */
  create(name: string, metadata: Record<string, string>): Promise<AggregateRecord>;
  /** Renames one; AggregateNameExistsError for a taken name. */
  rename(id: number, name: string): Promise<AggregateRecord>;
  /** Sets metadata keys; a null value deletes its key. */
  updateMetadata(id: number, changes: Record<string, string | null>): Promise<AggregateRecord>;
  /** Adds a host; AggregateHostExistsError if it is in already. */
  addHost(id: number, host: string): Promise<AggregateRecord>;
  /** Removes a host; AggregateHostNotFoundError if it is not in. */
  removeHost(id: number, host: string): Promise<AggregateRecord>;
  /** Deletes one with its metadata. */
  delete(id: number): Promise<void>;
  /** Whether a nova-compute service runs on the host (in any cell). */
  isComputeHost(host: string): Promise<boolean>;
  /** How many live instances the hosts have. */
  countInstancesOnHosts(hosts: readonly string[]): Promise<number>;
  /**
   * Called after every change with the aggregate as it now is (Nova casts update_aggregates, or
   * delete_aggregate when `deleted`, to every scheduler).
   */
  changed?(ctx: RequestContext, aggregate: AggregateRecord, deleted: boolean): Promise<void>;
}

/**
 * Nova's AggregateAPI (nova/compute/api.py) over a store, written once for the real backend and its test
 * double: a zone change is refused when it is empty, when a host is already in another zone, and (for
 * update and set_metadata) when it renames a zone whose hosts run instances; a non-empty aggregate is not
 * deleted; only compute hosts are added.
 */
export class AggregateOperations implements AggregateBackend {
  /** The operations over `store`. */
  constructor(private readonly store: AggregateStore) {}

  /** Every aggregate. */
  listAggregates(_ctx: RequestContext): Promise<AggregateRecord[]> {
    return this.store.list();
  }

  /** One aggregate. */
  getAggregate(_ctx: RequestContext, id: number): Promise<AggregateRecord> {
    return this.store.get(id);
  }

  /** Creates an aggregate, in `availabilityZone` when given. */
  async createAggregate(
    ctx: RequestContext,
    name: string,
    availabilityZone: string | null,
  ): Promise<AggregateRecord> {
    const created = await this.store.create(
      name,
      availabilityZone ? { [AZ_METADATA_KEY]: availabilityZone } : {},
    );
    await this.notify(ctx, created);
    return created;
  }

  /** Renames first (as Nova saves the name before it checks the zone), then re-zones. */
  async updateAggregate(ctx: RequestContext, id: number, update: AggregateUpdate): Promise<AggregateRecord> {
    let aggregate = await this.store.get(id);
    if (update.name !== undefined) aggregate = await this.store.rename(id, update.name);
    if (update.availabilityZone !== undefined) {
      const metadata = { [AZ_METADATA_KEY]: update.availabilityZone };
      await this.checkZoneChange("update", aggregate, metadata, aggregate.hosts, true);
      aggregate = await this.store.updateMetadata(id, metadata);
    }
    await this.notify(ctx, aggregate);
    return aggregate;
  }

  /** Sets metadata keys (null deletes), with the zone rules. */
  async setAggregateMetadata(
    ctx: RequestContext,
    id: number,
    metadata: Record<string, string | null>,
  ): Promise<AggregateRecord> {
    const aggregate = await this.store.get(id);
    await this.checkZoneChange("update_metadata", aggregate, metadata, aggregate.hosts, true);
    const updated = await this.store.updateMetadata(id, metadata);
    await this.notify(ctx, updated);
    return updated;
  }

  /** Deletes an empty aggregate. */
  async deleteAggregate(ctx: RequestContext, id: number): Promise<void> {
    const aggregate = await this.store.get(id);
    if (aggregate.hosts.length > 0)
      throw new InvalidAggregateActionError("delete", id, "Host aggregate is not empty");
    await this.store.delete(id);
    await this.notify(ctx, aggregate, true);
  }

  /** Adds a compute host unless it is in another zone. */
  async addAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    if (!(await this.store.isComputeHost(host))) throw new ComputeHostNotFoundError(host);
    const aggregate = await this.store.get(id);
    await this.checkZoneChange("add_host", aggregate, aggregate.metadata, [host], false);
    const updated = await this.store.addHost(id, host);
    await this.notify(ctx, updated);
    return updated;
  }

  /** Removes a host. */
  async removeAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    if (!(await this.store.isComputeHost(host))) throw new ComputeHostNotFoundError(host);
    const updated = await this.store.removeHost(id, host);
    await this.notify(ctx, updated);
    return updated;
  }

  // Nova's is_safe_to_update_az.
  private async checkZoneChange(
    action: AggregateAction,
    aggregate: AggregateRecord,
    metadata: Readonly<Record<string, string | null>>,
    hosts: readonly string[],
    checkInstances: boolean,
  ): Promise<void> {
    if (!(AZ_METADATA_KEY in metadata)) return;
    const zone = metadata[AZ_METADATA_KEY] ?? null;
    const refusal = zoneChangeRefusal(await this.store.list(), aggregate, zone, hosts);
    if (refusal !== null) throw new InvalidAggregateActionError(action, aggregate.id, refusal);
    if (checkInstances && aggregateZone(aggregate) !== zone && hosts.length > 0) {
      if ((await this.store.countInstancesOnHosts(hosts)) > 0) {
        throw new InvalidAggregateActionError(
          action,
          aggregate.id,
          "One or more hosts contain instances in this zone",
        );
      }
    }
  }

  private async notify(ctx: RequestContext, aggregate: AggregateRecord, deleted = false): Promise<void> {
    await this.store.changed?.(ctx, aggregate, deleted);
  }
}
