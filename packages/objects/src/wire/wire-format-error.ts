import { NovaError } from "@nova/core";

/** Why a wire value could not be decoded: stable codes callers can switch on. */
export type WireFormatErrorCode =
  | "INVALID_PRIMITIVE"
  | "WRONG_OBJECT"
  | "INCOMPATIBLE_VERSION"
  | "INVALID_FIELD";

/** A Nova object primitive that does not match what the codec expects. */
export class WireFormatError extends NovaError {
  /** Why decoding failed. */
  declare readonly code: WireFormatErrorCode;

  /** Builds the error; the message gets the `path` appended so the log names the field. */
  constructor(
    code: WireFormatErrorCode,
    message: string,
    /** Where in the primitive decoding failed (`nova_object.data.flavor`), empty at the root. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${message} (at ${path || "<root>"})`, options);
  }
}
