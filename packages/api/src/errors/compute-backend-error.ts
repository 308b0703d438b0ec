import { NovaError, type NovaErrorOptions } from "@nova/core";

/**
 * Base of the typed errors a ComputeBackend throws; the API maps each to a Nova fault. Test for one with
 * `InstanceNotFoundError.isInstance(e)` (works across package copies) rather than by code or `instanceof`.
 */
export abstract class ComputeBackendError extends NovaError {
  /** The HTTP status Nova answers with when no endpoint-specific mapping applies. */
  abstract readonly httpStatus: number;

  /** @param code Stable UPPER_SNAKE_CASE code, Nova's exception name in that casing (`INSTANCE_NOT_FOUND`). */
  constructor(code: string, message: string, options?: NovaErrorOptions) {
    super(code, message, options);
  }
}
