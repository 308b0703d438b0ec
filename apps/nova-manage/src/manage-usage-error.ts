import { NovaError } from "@nova/core";

/** A command-line value nova-manage cannot use (exit code 2, like commander's own usage errors). */
export class ManageUsageError extends NovaError {
  constructor(
    /** The option or argument at fault (`--memory`). */
    readonly option: string,
    message: string,
  ) {
    super("MANAGE_USAGE", `${option}: ${message}`);
  }
}
