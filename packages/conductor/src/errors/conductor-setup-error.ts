import { NovaError } from "@nova/core";

/** The conductor cannot start as configured (no cell mapped, cell0 missing, ...). Not retryable. */
export class ConductorSetupError extends NovaError {
  /** Builds the error; the message says what is missing and how to set it up. */
  constructor(message: string) {
    super("CONDUCTOR_SETUP", message);
  }
}
