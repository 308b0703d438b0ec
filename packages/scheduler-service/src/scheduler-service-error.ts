import { NovaError } from "@nova/core";

/** Stable codes of the scheduler service's own errors. */
export type SchedulerServiceErrorCode =
  | "SCHEDULER_INVALID_CONFIG"
  | "SCHEDULER_CELL_UNRESOLVED"
  | "SCHEDULER_INVALID_REQUEST";

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
