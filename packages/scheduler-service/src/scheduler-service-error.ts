/** Stable codes of the scheduler service's own errors. */
export type SchedulerServiceErrorCode = "invalid_scheduler_config" | "cell_unresolved" | "invalid_request";

/** Base of the scheduler service's errors: a stable `code`, and whether trying again can help. */
export class SchedulerServiceError extends Error {
  constructor(
    readonly code: SchedulerServiceErrorCode,
    message: string,
    readonly isRetryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Works across duplicate copies of the package. */
  static isInstance(e: unknown): e is SchedulerServiceError {
    const code = (e as { code?: unknown } | null)?.code;
    return (
      e instanceof Error &&
      (code === "invalid_scheduler_config" || code === "cell_unresolved" || code === "invalid_request")
    );
  }
}

/** A `[filter_scheduler]`/`[scheduler]`/`[metrics]`/`[DEFAULT]` option has a value the service cannot use. */
export class InvalidSchedulerConfigError extends SchedulerServiceError {
  constructor(
    readonly group: string,
    readonly option: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super("invalid_scheduler_config", `[${group}] ${option}: ${problem}`, false, { cause });
  }
}

/** The cell this scheduler serves could not be determined (no cell uuid given, none or many mapped). */
export class CellUnresolvedError extends SchedulerServiceError {
  constructor(message: string) {
    super("cell_unresolved", message);
  }
}

/** A select_destinations request the service cannot read (no spec_obj, wrong types). */
export class InvalidSchedulingRequestError extends SchedulerServiceError {
  constructor(message: string, cause?: unknown) {
    super("invalid_request", message, false, { cause });
  }
}
