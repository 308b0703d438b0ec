import { NovaError } from "@nova/core";

/** `clouds.yaml` or the `OS_*` variables could not be read or do not say enough to connect. */
export class CloudConfigError extends NovaError {
  /** Always `CLOUD_CONFIG_INVALID`. */
  declare readonly code: "CLOUD_CONFIG_INVALID";

  /** With what was wrong, and where when known (`clouds.yaml:12`). */
  constructor(message: string) {
    super("CLOUD_CONFIG_INVALID", message);
  }
}
