/** A nova-compute option is invalid; the service refuses to start and names the option. */
export class ComputeConfigError extends Error {
  readonly code = "ComputeConfigInvalid" as const;
  readonly isRetryable = false;

  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`invalid value for option ${option}: ${reason}`);
    this.name = "ComputeConfigError";
  }
}
