import { NovaDbError } from "./nova-db-error.js";

/** The compute node does not have room for the requested resources. */
export class ClaimRejectedError extends NovaDbError {
  /** Builds the error naming the node and what it lacks. */
  constructor(
    /** The compute node claimed on. */
    readonly nodeUuid: string,
    /** What it lacks room for. */
    readonly reason: string,
  ) {
    super("DB_CLAIM_REJECTED", `claim on compute node ${nodeUuid} rejected: ${reason}`);
  }
}

/** The node's generation changed under the caller (another claim won); re-read and decide again. */
export class GenerationConflictError extends NovaDbError {
  /** Builds the error naming the node and the generation the caller expected; retryable. */
  constructor(
    /** The compute node claimed on. */
    readonly nodeUuid: string,
    /** The generation the caller decided on. */
    readonly expected: number,
  ) {
    super("DB_GENERATION_CONFLICT", `compute node ${nodeUuid} changed since generation ${expected}`, true);
  }
}
