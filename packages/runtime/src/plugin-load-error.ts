import { ConfigError } from "@nova/config";

/** What went wrong loading a plug-in named in nova.conf. */
export type PluginLoadProblem = "MODULE_NOT_FOUND" | "MODULE_FAILED" | "EXPORT_NOT_FOUND" | "WRONG_SHAPE";

/**
 * A plug-in nova.conf names (`my-filters#RackFilter`) could not be loaded: a ConfigError (the app exits with
 * status 2) naming the option, the specifier and, in `problem`, what went wrong.
 */
export class PluginLoadError extends ConfigError {
  /** Builds the error for `specifier`, named by `[group] option`. */
  constructor(
    /** What went wrong: no such module, the module threw, no such export, or an export of the wrong shape. */
    readonly problem: PluginLoadProblem,
    /** The specifier as nova.conf spells it. */
    readonly specifier: string,
    where: { group: string; option: string },
    detail: string,
    cause?: unknown,
  ) {
    super(
      "CONFIG_INVALID",
      `Invalid value for option ${where.option} in group [${where.group}]: "${specifier}": ${detail}`,
      { group: where.group, option: where.option, ...(cause === undefined ? {} : { cause }) },
    );
  }
}
