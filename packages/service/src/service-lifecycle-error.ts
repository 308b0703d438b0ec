import { NovaError } from "@nova/core";

/** A service asked to start twice, or after it stopped. */
export class ServiceLifecycleError extends NovaError {
  constructor(message: string) {
    super("SERVICE_LIFECYCLE", message);
  }
}
