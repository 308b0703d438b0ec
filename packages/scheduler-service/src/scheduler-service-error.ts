import { NovaError } from "@nova/core";

/** Stable codes of the scheduler service's own errors. */
export type SchedulerServiceErrorCode =
  | "SCHEDULER_INVALID_CONFIG"
  | "SCHEDULER_CELL_UNRESOLVED"
  | "SCHEDULER_INVALID_REQUEST"
  | "SCHEDULER_CELL_NOT_ANSWERING";

/**
 * Base of the scheduler service's errors: a stable `code`, and whether trying again can help. Test for one
 * with `SchedulerServiceError.isInstance(err)` (or a subclass's), which works across package copies.
 */
export class SchedulerServiceError extends NovaError {
  /** Which failure this is. */
  declare readonly code: SchedulerServiceErrorCode;

  /**
   * Builds a scheduler service error with its `SCHEDULER_*` code; `isRetryable` marks what a retry may fix.
   */
  constructor(
    code: SchedulerServiceErrorCode,
    message: string,
    isRetryable = false,
    options?: { cause?: unknown },
  ) {
    super(code, message, { isRetryable, ...(options?.cause === undefined ? {} : { cause: options.cause }) });
  }
}

/** A `[filter_scheduler]`/`[scheduler]`/`[metrics]`/`[DEFAULT]` option has a value the service cannot use. */
export class InvalidSchedulerConfigError extends SchedulerServiceError {
  /** Builds "[group] option: problem"; `cause` is the parse failure, if any. */
  constructor(
    /** The option's group. */
    readonly group: string,
    /** The option's name. */
    readonly option: string,
    /** What is wrong with its value. */
    readonly problem: string,
    cause?: unknown,
  ) {
    super("SCHEDULER_INVALID_CONFIG", `[${group}] ${option}: ${problem}`, false, { cause });
  }
}

/** The cell this scheduler serves could not be determined (no cell uuid given, none or many mapped). */
export class CellUnresolvedError extends SchedulerServiceError {
  /** Builds the error; the message says why no single cell could be chosen. */
  constructor(message: string) {
    super("SCHEDULER_CELL_UNRESOLVED", message);
  }
}

/** A select_destinations request the service cannot read (no spec_obj, wrong types). */
export class InvalidSchedulingRequestError extends SchedulerServiceError {
  /** Builds the error; the message says what is wrong with the request, `cause` is the decoding failure. */
  constructor(message: string, cause?: unknown) {
    super("SCHEDULER_INVALID_REQUEST", message, false, { cause });
  }
}

/**
 * A cell's database did not answer a placement within `[DEFAULT] cell_timeout`: the scheduler asks the next
 * cell. A claim that completes after this is given back.
 */
export class CellNotAnsweringError extends SchedulerServiceError {
  /** Builds the error for the cell and the seconds waited. */
  constructor(
    /** The cell mapping's uuid. */
    readonly cellUuid: string,
    /** `cell_timeout`, in seconds. */
    readonly seconds: number,
  ) {
    super("SCHEDULER_CELL_NOT_ANSWERING", `cell ${cellUuid} did not answer within ${seconds} s`, true);
  }
}
