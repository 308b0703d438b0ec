import { ComputeBackendError } from "./compute-backend-error.js";

/** No aggregate with that id (Nova's AggregateNotFound). */
export class AggregateNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Aggregate <id> could not be found." */
  constructor(
    /** The id asked for. */
    readonly aggregateId: number,
  ) {
    super("AGGREGATE_NOT_FOUND", `Aggregate ${aggregateId} could not be found.`);
  }
}

/** Another aggregate has that name (Nova's AggregateNameExists). */
export class AggregateNameExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Aggregate <name> already exists." */
  constructor(
    /** The name taken. */
    readonly aggregateName: string,
  ) {
    super("AGGREGATE_NAME_EXISTS", `Aggregate ${aggregateName} already exists.`);
  }
}

/** The host is already in the aggregate (Nova's AggregateHostExists). */
export class AggregateHostExistsError extends ComputeBackendError {
  /** 409. */
  readonly httpStatus = 409;

  /** Builds Nova's "Aggregate <id> already has host <host>." */
  constructor(
    /** The aggregate. */
    readonly aggregateId: number,
    /** The host. */
    readonly host: string,
  ) {
    super("AGGREGATE_HOST_EXISTS", `Aggregate ${aggregateId} already has host ${host}.`);
  }
}

/** The host is not in the aggregate (Nova's AggregateHostNotFound). */
export class AggregateHostNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Aggregate <id> has no host <host>." */
  constructor(
    /** The aggregate. */
    readonly aggregateId: number,
    /** The host. */
    readonly host: string,
  ) {
    super("AGGREGATE_HOST_NOT_FOUND", `Aggregate ${aggregateId} has no host ${host}.`);
  }
}

/** No nova-compute service runs on that host (Nova's ComputeHostNotFound). */
export class ComputeHostNotFoundError extends ComputeBackendError {
  /** 404. */
  readonly httpStatus = 404;

  /** Builds Nova's "Compute host <host> could not be found." */
  constructor(
    /** The host asked for. */
    readonly host: string,
  ) {
    super("COMPUTE_HOST_NOT_FOUND", `Compute host ${host} could not be found.`);
  }
}

/** Which aggregate operation an InvalidAggregateActionError refused (it words Nova's message). */
export type AggregateAction = "add_host" | "delete" | "update" | "update_metadata";

const ACTION_WORDING: Record<AggregateAction, string> = {
  add_host: "Cannot add host to aggregate",
  // Nova's InvalidAggregateActionDelete says "remove host from" for a delete too.
  delete: "Cannot remove host from aggregate",
  update: "Cannot update aggregate",
  update_metadata: "Cannot update metadata of aggregate",
};

/** An aggregate change Nova refuses (zone conflicts, a non-empty delete): InvalidAggregateAction*. */
export class InvalidAggregateActionError extends ComputeBackendError {
  /** 400 (the add_host action answers 409, as Nova's controller does). */
  readonly httpStatus = 400;

  /** Builds "<Cannot ... aggregate> <id>. Reason: <reason>." */
  constructor(
    /** The refused operation. */
    readonly action: AggregateAction,
    /** The aggregate. */
    readonly aggregateId: number,
    /** Why. */
    readonly reason: string,
  ) {
    super("INVALID_AGGREGATE_ACTION", `${ACTION_WORDING[action]} ${aggregateId}. Reason: ${reason}.`);
  }
}
