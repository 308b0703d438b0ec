import { VirtError } from "./virt-error.js";

/**
 * A driver call did not finish in time: the compute stops waiting and fails the operation (a build is
 * rescheduled, then ERROR), with a message naming the driver and the verb.
 */
export class DriverCallTimeoutError extends VirtError {
  declare readonly code: "DRIVER_CALL_TIMEOUT";

  /** Builds "<driver>: <method> did not finish within <n> s". */
  constructor(
    /** The driver as `compute_driver` names it. */
    readonly driverName: string,
    /** The ComputeDriver method that hung. */
    readonly method: string,
    /** How long the compute waited, in milliseconds. */
    readonly timeoutMs: number,
    instanceUuid?: string,
  ) {
    super(
      "DRIVER_CALL_TIMEOUT",
      "DriverCallTimeout",
      `compute driver ${driverName}: ${method} did not finish within ${timeoutMs / 1000} s`,
      { instanceUuid, isRetryable: true },
    );
  }
}
