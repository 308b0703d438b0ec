// A registry-wide symbol so isInstance works across duplicate copies of this package.
const VIRT_ERROR = Symbol.for("@nova/virt/VirtError");

/** Every error a driver raises on purpose, tagged so callers can switch on `code`. */
export type VirtErrorCode =
  | "InstanceNotFound"
  | "InstanceInvalidState"
  | "InstanceExists"
  | "SpawnFailed"
  | "InstancePowerOffFailure"
  | "InstanceRebootFailure"
  | "HypervisorUnavailable"
  | "ComputeResourcesUnavailable"
  | "ConsoleNotAvailable"
  | "ImageNotFound"
  | "ImageUnacceptable";

/** Base of the driver errors: a stable `code`, the instance it concerns, a `cause`, and `isRetryable`. */
export abstract class VirtError extends Error {
  /** Stable machine-readable code (Nova's exception class name). */
  abstract readonly code: VirtErrorCode;
  /** True when trying again (or on another host) may succeed. */
  readonly isRetryable: boolean = false;
  /** The instance the error concerns, when there is one. */
  readonly instanceUuid: string | undefined;
  readonly [VIRT_ERROR] = true;

  constructor(message: string, options: { instanceUuid?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.instanceUuid = options.instanceUuid;
  }

  /** True for any VirtError, even one from another copy of this package. */
  static isInstance(error: unknown): error is VirtError {
    return (
      typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[VIRT_ERROR] === true
    );
  }
}

/** True when `error` is a VirtError with the given code (works across package copies). */
export function hasVirtErrorCode(error: unknown, code: VirtErrorCode): error is VirtError {
  return VirtError.isInstance(error) && error.code === code;
}
