import { NovaError } from "@nova/core";

/**
 * A filter or weigher threw, or answered with something that is not a verdict or a weight. The request it was
 * serving fails (nova-scheduler answers NoValidHost with this message as the reason); the scheduler keeps serving.
 */
export class PluginFailedError extends NovaError {
  /** Builds "<kind> <name> failed: <what went wrong>". */
  constructor(
    /** Whether a filter or a weigher failed. */
    readonly kind: "filter" | "weigher",
    /** The plug-in's name (as `enabled_filters` / `weight_classes` name it). */
    readonly pluginName: string,
    /** What went wrong, in a few words. */
    readonly problem: string,
    options: { cause?: unknown } = {},
  ) {
    super("SCHEDULER_PLUGIN_FAILED", `${kind} ${pluginName} failed: ${problem}`, options);
  }
}
