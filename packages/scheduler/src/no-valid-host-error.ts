import { NovaError } from "@nova/core";
import type { SchedulingExplanation } from "./explanation.js";

/** No host can take the request (Nova's NoValidHost), with the structured reason why. */
export class NoValidHostError extends NovaError {
  /** Builds Nova's "No valid host was found. <reason>". */
  constructor(
    /** Nova's reason text (the part after "No valid host was found."). */
    readonly reason: string,
    /** Why each host was rejected, filter by filter. */
    readonly explanation: SchedulingExplanation,
  ) {
    super("NO_VALID_HOST", `No valid host was found. ${reason}`);
  }
}
