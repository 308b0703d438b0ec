import { VirtError } from "./virt-error.js";

/** A guest with this instance's uuid or name is already on the hypervisor. */
export class InstanceExistsError extends VirtError {
  declare readonly code: "INSTANCE_EXISTS";

  /** Builds the error; its message is Nova's. */
  constructor(name: string, options: { instanceUuid?: string; cause?: unknown } = {}) {
    super("INSTANCE_EXISTS", "InstanceExists", `Instance ${name} already exists.`, options);
  }
}
