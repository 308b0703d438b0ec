import { NovaDbError } from "./nova-db-error.js";

/** The instance's task_state was no longer one of those the caller expected (Nova's UnexpectedTaskStateError). */
export class UnexpectedTaskStateError extends NovaDbError {
  /** Builds the error naming the instance, the task states expected and the one found. */
  constructor(
    /** The instance updated. */
    readonly instanceUuid: string,
    /** The task_states the caller expected. */
    readonly expected: readonly (string | null)[],
    /** The task_state found. */
    readonly actual: string | null,
  ) {
    super(
      "DB_UNEXPECTED_TASK_STATE",
      `Unexpected task state: expecting ${JSON.stringify(expected)} but the actual state is ${actual} (instance ${instanceUuid})`,
    );
  }
}

/** The instance's vm_state was no longer one of those the caller expected (Nova's UnexpectedVMStateError). */
export class UnexpectedVmStateError extends NovaDbError {
  /** Builds the error naming the instance, the vm states expected and the one found. */
  constructor(
    /** The instance updated. */
    readonly instanceUuid: string,
    /** The vm_states the caller expected. */
    readonly expected: readonly (string | null)[],
    /** The vm_state found. */
    readonly actual: string | null,
  ) {
    super(
      "DB_UNEXPECTED_VM_STATE",
      `Unexpected VM state: expecting ${JSON.stringify(expected)} but the actual state is ${actual} (instance ${instanceUuid})`,
    );
  }
}
