import { NovaError } from "@nova/core";

/** A nova-compute option is invalid; the service refuses to start and names the option. */
export class ComputeConfigError extends NovaError {
  declare readonly code: "COMPUTE_CONFIG_INVALID";

  /** Names the option and says what is wrong with its value. */
  constructor(
    /** The option's nova.conf name. */
    readonly option: string,
    reason: string,
  ) {
    super("COMPUTE_CONFIG_INVALID", `invalid value for option ${option}: ${reason}`);
  }
}
