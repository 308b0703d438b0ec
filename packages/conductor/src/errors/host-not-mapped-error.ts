import { NovaError } from "@nova/core";

/** Nova's HostMappingNotFound: the scheduler chose a host no cell claims (discover_hosts not run for it). */
export class HostNotMapped extends NovaError {
  /** Builds the error with Nova's message for `host`. */
  constructor(
    /** The host with no host mapping. */
    readonly host: string,
  ) {
    super("HOST_NOT_MAPPED", `Host '${host}' is not mapped to any cell`);
  }
}
