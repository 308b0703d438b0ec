import type { RequestContext } from "./request-context.js";

/** A host aggregate (Nova's Aggregate object) as the API shows it. */
export interface AggregateRecord {
  /** Database id: the aggregate's API id. */
  id: number;
  /** Its uuid (shown from 2.41). */
  uuid: string;
  /** Unique name. */
  name: string;
  /** Compute host names. */
  hosts: string[];
  /** Key/value metadata; `availability_zone` makes it a zone. */
  metadata: Record<string, string>;
  /** When it was created. */
  createdAt: Date | null;
  /** When it last changed. */
  updatedAt: Date | null;
}

/** What `PUT /os-aggregates/{id}` changes: a new name and/or zone. */
export interface AggregateUpdate {
  /** New name. */
  name?: string;
  /** New zone (null or "" is refused as Nova refuses an empty zone). */
  availabilityZone?: string | null;
}

/**
 * Host aggregates and the zones they define (Nova's AggregateAPI). Each method throws AggregateNotFoundError
 * for an unknown id; the other errors are in `errors/aggregate-errors.ts`. Every change reaches the
 * scheduler's view of the aggregates (Nova's update_aggregates).
 */
export interface AggregateBackend {
  /** Every aggregate, by id. */
  listAggregates(ctx: RequestContext): Promise<AggregateRecord[]>;
  /** One aggregate. */
  getAggregate(ctx: RequestContext, id: number): Promise<AggregateRecord>;
  /** Creates an aggregate, in a zone when given; AggregateNameExistsError for a taken name. */
  createAggregate(
    ctx: RequestContext,
    name: string,
    availabilityZone: string | null,
  ): Promise<AggregateRecord>;
  /**
   * Renames and/or re-zones an aggregate: AggregateNameExistsError, InvalidAggregateActionError (empty zone,
   * a host already in another zone, instances on its hosts when the zone changes).
   */
  updateAggregate(ctx: RequestContext, id: number, update: AggregateUpdate): Promise<AggregateRecord>;
  /** Sets metadata keys (null deletes one), with the zone rules of updateAggregate. */
  setAggregateMetadata(
    ctx: RequestContext,
    id: number,
    metadata: Record<string, string | null>,
  ): Promise<AggregateRecord>;
  /** Deletes an aggregate; InvalidAggregateActionError while it has hosts. */
  deleteAggregate(ctx: RequestContext, id: number): Promise<void>;
  /**
   * Adds a compute host: ComputeHostNotFoundError (no nova-compute there), AggregateHostExistsError,
   * InvalidAggregateActionError (the host is in another zone).
   */
  addAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord>;
  /** Removes a host: ComputeHostNotFoundError, AggregateHostNotFoundError. */
  removeAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord>;
}
