/** A command-line value nova-manage cannot use (exit code 2, like commander's own usage errors). */
export class ManageUsageError extends Error {
  readonly code = "MANAGE_USAGE";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = "ManageUsageError";
  }
}
