import { NovaError } from "@nova/core";

/** The Keystone catalog has no compute endpoint for the asked interface and region. */
export class EndpointNotFoundError extends NovaError {
  /** Always `ENDPOINT_NOT_FOUND`. */
  declare readonly code: "ENDPOINT_NOT_FOUND";

  /** For the service type, interface and region looked for. */
  constructor(
    /** The service type looked for (`compute`). */
    readonly serviceType: string,
    /** The interface looked for (`public`, `internal`, `admin`). */
    readonly interfaceName: string,
    /** The region looked for, when one was given. */
    readonly region: string | undefined,
  ) {
    const where = region === undefined ? "" : ` in region ${region}`;
    super(
      "ENDPOINT_NOT_FOUND",
      `no ${interfaceName} ${serviceType} endpoint${where} in the Keystone catalog`,
    );
  }
}
