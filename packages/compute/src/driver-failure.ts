import { ConsoleNotAvailable, InstanceNotFound, NovaException } from "@nova/rpcapi";
import { VirtError } from "@nova/virt";

/**
 * A hypervisor failure as a Nova exception, named after Nova's class (InstanceRebootFailure,
 * InstancePowerOffFailure, HypervisorUnavailable, ...): the fault keeps the driver's message and Python peers
 * see `nova.exception.<Name>`.
 */
export class DriverOperationFailed extends NovaException {
  /** Nova's format: the driver's reason as it is. */
  static override readonly msgFmt: string = "%(reason)s";

  /** `novaName` is the Nova exception class the failure is named after (Python peers see `nova.exception.<novaName>`). */
  constructor(novaName: string, reason: string, options: { cause?: unknown } = {}) {
    super({ reason });
    this.name = novaName;
    Object.defineProperty(this, "code", { value: novaName });
    if (options.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause });
  }
}

/** Converts a driver error to what the compute raises: InstanceNotFound stays typed, other VirtErrors wrap. */
export function fromDriverError(error: unknown, instanceUuid: string): unknown {
  if (!VirtError.isInstance(error)) return error;
  if (error.code === "INSTANCE_NOT_FOUND") return new InstanceNotFound({ instance_id: instanceUuid });
  if (error.code === "CONSOLE_NOT_AVAILABLE") return new ConsoleNotAvailable({ instance_uuid: instanceUuid });
  return new DriverOperationFailed(error.name, error.message, { cause: error });
}
