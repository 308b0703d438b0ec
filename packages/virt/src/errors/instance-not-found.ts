import { VirtError } from "./virt-error.js";

/** The hypervisor has no guest for this instance. */
export class InstanceNotFoundError extends VirtError {
  declare readonly code: "INSTANCE_NOT_FOUND";

  /** Builds the error; its message is Nova's. */
  constructor(instanceUuid: string, options: { cause?: unknown } = {}) {
    super("INSTANCE_NOT_FOUND", "InstanceNotFound", `Instance ${instanceUuid} could not be found.`, {
      instanceUuid,
      cause: options.cause,
    });
  }
}
