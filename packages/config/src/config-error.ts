import { NovaError } from "@nova/core";

/**
 * A configuration problem that stops a service at start (apps exit with status 2); the message names the file,
 * or the group and option (`Invalid value for option max_pool_size in group [database]: ...`).
 */
export class ConfigError extends NovaError {
  /** `CONFIG_FILE` for an unreadable or malformed file, `CONFIG_INVALID` for a value its option refuses. */
  declare readonly code: "CONFIG_INVALID" | "CONFIG_FILE";
  /** The group of the option at fault (`DEFAULT`, `database`, ...), when one is. */
  readonly group: string | undefined;
  /** The option at fault, when one is. */
  readonly option: string | undefined;

  /** `where` names the group and option at fault; `cause` keeps the library's own error. */
  constructor(
    code: "CONFIG_INVALID" | "CONFIG_FILE",
    message: string,
    where: { group?: string; option?: string; cause?: unknown } = {},
  ) {
    super(code, message, where.cause === undefined ? {} : { cause: where.cause });
    this.group = where.group;
    this.option = where.option;
  }
}
