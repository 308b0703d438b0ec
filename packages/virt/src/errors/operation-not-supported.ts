import { VirtError } from "./virt-error.js";

/** The driver does not implement this verb (Nova's NotImplementedError from a driver). */
export class OperationNotSupportedError extends VirtError {
  declare readonly code: "OPERATION_NOT_SUPPORTED";
  /** The verb the driver lacks. */
  readonly operation: string;

  /** Builds the error for `operation` (a ComputeDriver verb). */
  constructor(operation: string, options: { instanceUuid?: string } = {}) {
    super(
      "OPERATION_NOT_SUPPORTED",
      "NotImplementedError",
      `The hypervisor driver does not support ${operation}`,
      options,
    );
    this.operation = operation;
  }
}
