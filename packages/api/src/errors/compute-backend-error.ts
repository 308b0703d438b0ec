const MARK = Symbol.for("@nova/api.ComputeBackendError");

/** Base of the typed errors a ComputeBackend throws; the API maps each to a Nova fault. */
export abstract class ComputeBackendError extends Error {
  /** Stable machine-readable code (Nova's exception name). */
  abstract readonly code: string;
  /** The HTTP status Nova answers with when no endpoint-specific mapping applies. */
  abstract readonly httpStatus: number;
  /** True when the same request may succeed later. */
  readonly isRetryable: boolean = false;
  readonly [MARK] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True for any ComputeBackendError, even from another copy of this package. */
  static isInstance(value: unknown): value is ComputeBackendError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  }
}
