import { NovaError } from "@nova/core";

/** A service asked to start twice, or after it stopped. */
export class ServiceLifecycleError extends NovaError {
  /** Builds the error; the message says what was asked of the service and why it refused. */
  constructor(message: string) {
    super("SERVICE_LIFECYCLE", message);
  }
}
