import { NovaError } from "@nova/core";

/** A resize the libvirt driver refuses (Nova's ResizeError), e.g. shrinking a root disk. */
export class ResizeError extends NovaError {
  declare readonly code: "RESIZE_ERROR";
  /** The instance being resized. */
  readonly instanceUuid: string;

  /** Says why the resize of `instanceUuid` cannot be done. */
  constructor(instanceUuid: string, reason: string, options: { cause?: unknown } = {}) {
    super("RESIZE_ERROR", `Resize error: ${reason}`, options);
    this.name = "ResizeError";
    this.instanceUuid = instanceUuid;
  }
}
