import { NovaError } from "@nova/core";

/** Every error a driver raises on purpose, tagged so callers can switch on `code`. */
export type VirtErrorCode =
  | "INSTANCE_NOT_FOUND"
  | "INSTANCE_INVALID_STATE"
  | "INSTANCE_EXISTS"
  | "SPAWN_FAILED"
  | "INSTANCE_POWER_OFF_FAILURE"
  | "INSTANCE_REBOOT_FAILURE"
  | "HYPERVISOR_UNAVAILABLE"
  | "COMPUTE_RESOURCES_UNAVAILABLE"
  | "CONSOLE_NOT_AVAILABLE"
  | "IMAGE_NOT_FOUND"
  | "IMAGE_UNACCEPTABLE"
  | "DRIVER_CALL_TIMEOUT"
  | "OPERATION_NOT_SUPPORTED"
  | "LIVE_MIGRATION_ABORTED";

/** What a {@link VirtError} may carry besides its message. */
export interface VirtErrorOptions {
  /** The instance the error concerns, when there is one. */
  instanceUuid?: string | undefined;
  /** The error this one wraps. */
  cause?: unknown;
  /** True when trying again (or on another host) may succeed. Default false. */
  isRetryable?: boolean;
}

/**
 * Base of the driver errors: a stable UPPER_SNAKE_CASE `code`, the instance it concerns, a `cause`, and
 * `isRetryable`. `name` is the Nova exception the error mirrors (`InstanceNotFound`), the name the compute
 * manager gives the failure on the wire when no typed Nova exception maps it.
 */
export abstract class VirtError extends NovaError {
  declare readonly code: VirtErrorCode;
  /** The instance the error concerns, when there is one. */
  readonly instanceUuid: string | undefined;

  /** `novaName` is the Nova exception class this error mirrors; it becomes `name`. */
  constructor(code: VirtErrorCode, novaName: string, message: string, options: VirtErrorOptions = {}) {
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      isRetryable: options.isRetryable ?? false,
    });
    this.name = novaName;
    this.instanceUuid = options.instanceUuid;
  }
}
