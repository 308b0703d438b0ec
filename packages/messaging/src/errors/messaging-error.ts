import { NovaError, type NovaErrorOptions } from "@nova/core";

/**
 * Base class of every error this package throws: a stable `code` (`MESSAGING_*`), `isRetryable` and the
 * `cause`, from {@link NovaError}, so `MessagingError.isInstance(e)` and `MessagingTimeout.isInstance(e)` work
 * across copies of the package.
 */
export class MessagingError extends NovaError {
  /** `code` is one of this package's `MESSAGING_*` codes. */
  constructor(code: `MESSAGING_${string}`, message: string, options?: NovaErrorOptions) {
    super(code, message, options);
  }
}
