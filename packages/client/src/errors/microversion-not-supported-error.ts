import { NovaError } from "@nova/core";

/** The server's microversion range and the one asked for do not meet (or the server has no microversions). */
export class MicroversionNotSupportedError extends NovaError {
  /** Always `MICROVERSION_NOT_SUPPORTED`. */
  declare readonly code: "MICROVERSION_NOT_SUPPORTED";

  /** With the server's range as it reported it ("" when it reported none). */
  constructor(
    message: string,
    /** The server's lowest microversion. */
    readonly serverMin: string,
    /** The server's highest microversion. */
    readonly serverMax: string,
  ) {
    super("MICROVERSION_NOT_SUPPORTED", message);
  }
}
