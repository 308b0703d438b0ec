import { VirtError } from "./virt-error.js";

/** The driver does not do this operation (Nova's drivers raise NotImplementedError). */
export class OperationNotSupportedError extends VirtError {
  declare readonly code: "OPERATION_NOT_SUPPORTED";
  /** The operation refused. */
  readonly operation: string;

  /** Builds the error naming the driver and the operation. */
  constructor(driver: string, operation: string, options: { instanceUuid?: string } = {}) {
    super(
      "OPERATION_NOT_SUPPORTED",
      "NotImplementedError",
      `${driver} does not support ${operation}`,
      options,
    );
    this.operation = operation;
  }
}
