import type { SchedulingExplanation } from "./explanation.js";

/** No host can take the request (Nova's NoValidHost), with the structured reason why. */
export class NoValidHostError extends Error {
  readonly code = "no_valid_host";
  readonly isRetryable = false;
  constructor(
    readonly reason: string,
    readonly explanation: SchedulingExplanation,
  ) {
    super(`No valid host was found. ${reason}`);
    this.name = "NoValidHostError";
  }

  /** Works across duplicate copies of the package. */
  static isInstance(e: unknown): e is NoValidHostError {
    return e instanceof Error && (e as { code?: unknown }).code === "no_valid_host";
  }
}
