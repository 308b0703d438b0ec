import { ConfigError, type NovaConfig } from "@nova/config";
import { listInput } from "@nova/core";
import { type HostFilter, type HostWeigher, PluginRegistry } from "@nova/scheduler";
import { loadPlugin, parsePluginSpecifier } from "./plugin-loader.js";

/** The filters and weighers nova.conf names by npm specifier, loaded and registered beside the built-ins. */
export interface SchedulerPlugins {
  /** The built-ins plus every loaded plug-in, under its own name. */
  readonly registry: PluginRegistry;
  /** Each specifier as nova.conf spells it (`my-filters#RackFilter`) and the name it registered under. */
  readonly names: ReadonlyMap<string, string>;
}

const FILTER_OPTIONS = ["available_filters", "enabled_filters"] as const;

/**
 * Loads the plug-ins `[filter_scheduler] available_filters`, `enabled_filters` and `weight_classes` name as
 * `<module>#<Export>` (Nova's class paths and names stay built-ins). An export is a {@link HostFilter} or
 * {@link HostWeigher} object, or a class whose instances are one (constructed with no arguments).
 */
export async function loadSchedulerPlugins(
  config: Pick<NovaConfig, "raw">,
  opts: { baseDir?: string | undefined; registry?: PluginRegistry | undefined } = {},
): Promise<SchedulerPlugins> {
  const group = config.raw.filter_scheduler ?? {};
  const registry = opts.registry ?? new PluginRegistry();
  const names = new Map<string, string>();
  const load = async <T extends { name: string }>(
    option: string,
    kind: "filter" | "weigher",
    check: (v: Record<string, unknown>) => string | null,
    register: (plugin: T) => void,
  ) => {
    for (const entry of listOf(group[option])) {
      if (!parsePluginSpecifier(entry) || names.has(entry)) continue;
      const plugin = await loadPlugin<T>(entry, {
        where: { group: "filter_scheduler", option },
        baseDir: opts.baseDir,
        check: (v) => shapeOf(v, kind, check),
        build: (v) => {
          const plugin = typeof v === "function" ? new (v as new () => T)() : (v as T);
          if (typeof plugin.name !== "string" || plugin.name === "")
            throw new TypeError(`the ${kind} has no name`);
          return plugin;
        },
      });
      register(plugin);
      names.set(entry, plugin.name);
    }
  };
  for (const option of FILTER_OPTIONS) {
    await load<HostFilter>(
      option,
      "filter",
      (v) =>
        typeof v.prepare === "function" || typeof v.hostPasses === "function"
          ? null
          : "has neither prepare nor hostPasses",
      (f) => registry.registerFilter(f),
    );
  }
  await load<HostWeigher>(
    "weight_classes",
    "weigher",
    (v) => (typeof v.prepare === "function" ? null : "has no prepare function"),
    (w) => registry.registerWeigher(w),
  );
  return { registry, names };
}

/**
 * The `[filter_scheduler]` group with each loaded specifier replaced by its plug-in's name, as the scheduler
 * names plug-ins; a specifier that was not loaded is a ConfigError naming the option.
 */
export function withPluginNames(
  group: Record<string, string | string[]>,
  plugins: SchedulerPlugins | undefined,
): Record<string, string | string[]> {
  const out = { ...group };
  for (const option of [...FILTER_OPTIONS, "weight_classes"]) {
    if (group[option] === undefined) continue;
    out[option] = listOf(group[option]).map((entry) => {
      if (!parsePluginSpecifier(entry)) return entry;
      const name = plugins?.names.get(entry);
      if (name === undefined) {
        throw new ConfigError(
          "CONFIG_INVALID",
          `Invalid value for option ${option} in group [filter_scheduler]: "${entry}" names a plug-in that was not loaded (load it with loadSchedulerPlugins)`,
          { group: "filter_scheduler", option },
        );
      }
      return name;
    });
  }
  return out;
}

function listOf(value: unknown): string[] {
  const items = listInput(value);
  return Array.isArray(items) ? items.map(String) : [];
}

// Checks an object export, or the prototype of a class export (its instances get the methods from there).
function shapeOf(
  value: unknown,
  kind: string,
  check: (v: Record<string, unknown>) => string | null,
): string | null {
  const target = typeof value === "function" ? (value as { prototype?: unknown }).prototype : value;
  if (typeof target !== "object" || target === null) return `is not a ${kind} (an object or a class)`;
  if (typeof value !== "function" && typeof (value as { name?: unknown }).name !== "string") {
    return `is not a ${kind}: it has no name`;
  }
  return check(target as Record<string, unknown>);
}
