import { NovaError } from "@nova/core";

/** A configuration problem that stops a service at start; the message names the file, group and option. */
export class ConfigError extends NovaError {
  /** `CONFIG_INVALID` (a value) or `CONFIG_FILE` (a file that cannot be read or parsed). */
  declare readonly code: "CONFIG_INVALID" | "CONFIG_FILE";
  /** The option's group, when one option is at fault. */
  readonly group: string | undefined;
  /** The option at fault, when one is. */
  readonly option: string | undefined;

  constructor(
    code: "CONFIG_INVALID" | "CONFIG_FILE",
    message: string,
    where: { group?: string; option?: string } = {},
  ) {
    super(code, message);
    this.group = where.group;
    this.option = where.option;
  }
}
