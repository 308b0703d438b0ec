/** A configuration problem that stops a service at start; the message names the file, group and option. */
export class ConfigError extends Error {
  readonly code: "CONFIG_INVALID" | "CONFIG_FILE";
  readonly group: string | undefined;
  readonly option: string | undefined;

  constructor(
    code: "CONFIG_INVALID" | "CONFIG_FILE",
    message: string,
    where: { group?: string; option?: string } = {},
  ) {
    super(message);
    this.name = "ConfigError";
    this.code = code;
    this.group = where.group;
    this.option = where.option;
  }
}
