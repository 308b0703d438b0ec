/** Why a wire value could not be decoded: stable codes callers can switch on. */
export type WireFormatErrorCode =
  | "INVALID_PRIMITIVE"
  | "WRONG_OBJECT"
  | "INCOMPATIBLE_VERSION"
  | "INVALID_FIELD";

/** A Nova object primitive that does not match what the codec expects. */
export class WireFormatError extends Error {
  static readonly tag = "nova.objects.WireFormatError";
  readonly tag = WireFormatError.tag;
  readonly isRetryable = false;
  constructor(
    readonly code: WireFormatErrorCode,
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at ${path || "<root>"})`, options);
    this.name = "WireFormatError";
  }
  /** Works across duplicate copies of this package. */
  static isInstance(err: unknown): err is WireFormatError {
    return typeof err === "object" && err !== null && (err as { tag?: unknown }).tag === WireFormatError.tag;
  }
}
