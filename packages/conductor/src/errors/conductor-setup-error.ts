/** The conductor cannot start as configured (no cell mapped, cell0 missing, ...). Not retryable. */
export class ConductorSetupError extends Error {
  readonly code = "CONDUCTOR_SETUP";
  readonly isRetryable = false;

  constructor(message: string) {
    super(message);
    this.name = "ConductorSetupError";
  }
}
