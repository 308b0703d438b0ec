import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PluginLoadError } from "./plugin-load-error.js";

/** A plug-in's place: an npm module (or a file path) and the name it exports, from `<module>#<Export>`. */
export interface PluginSpecifier {
  /** The npm module (`my-filters`, `@acme/nova-plugins/weighers`) or a path (`./plugins/rack.js`). */
  readonly module: string;
  /** The export to take (`RackFilter`); `default` for the default export. */
  readonly exportName: string;
}

/** Where a plug-in is named in nova.conf, and how its export is checked. */
export interface LoadPluginOptions<T> {
  /** The group and option naming it, for the error. */
  readonly where: { group: string; option: string };
  /** Returns what is wrong with the export (`"has no prepare function"`), or null when it fits. */
  readonly check: (value: unknown) => string | null;
  /** Where module names and relative paths resolve from (the application's folder); the working directory by default. */
  readonly baseDir?: string | undefined;
  /** Turns the checked export into the plug-in (a class into an instance, say); identity by default. */
  readonly build?: (value: unknown) => T | Promise<T>;
}

/**
 * Reads `<module>#<Export>` (Nova's class paths have no `#`, so the two never clash); null for anything
 * else, which callers treat as a built-in name.
 */
export function parsePluginSpecifier(value: string): PluginSpecifier | null {
  const at = value.lastIndexOf("#");
  if (at <= 0 || at === value.length - 1) return null;
  return { module: value.slice(0, at).trim(), exportName: value.slice(at + 1).trim() };
}

/**
 * Imports the plug-in `specifier` names and checks its export's shape, so a typo or a wrong export fails at
 * start-up with a PluginLoadError naming the option, never at the first request. The one place nova-ts loads
 * code by name: scheduler filters and weighers, compute drivers, image catalogues, servicegroup drivers.
 */
export async function loadPlugin<T>(specifier: string, opts: LoadPluginOptions<T>): Promise<T> {
  const spec = parsePluginSpecifier(specifier);
  if (!spec)
    throw new PluginLoadError("MODULE_NOT_FOUND", specifier, opts.where, "expected <module>#<Export>");
  let mod: Record<string, unknown>;
  try {
    mod = (await import(resolveModule(spec.module, opts.baseDir))) as Record<string, unknown>;
  } catch (err) {
    const missing = isModuleNotFound(err, spec.module);
    throw new PluginLoadError(
      missing ? "MODULE_NOT_FOUND" : "MODULE_FAILED",
      specifier,
      opts.where,
      missing
        ? `cannot find module ${spec.module}`
        : `module ${spec.module} failed to load: ${describe(err)}`,
      err,
    );
  }
  if (!(spec.exportName in mod) || mod[spec.exportName] === undefined) {
    const known = Object.keys(mod).filter((k) => k !== "__esModule");
    throw new PluginLoadError(
      "EXPORT_NOT_FOUND",
      specifier,
      opts.where,
      `module ${spec.module} has no export ${spec.exportName} (it exports: ${known.join(", ") || "nothing"})`,
    );
  }
  const value = mod[spec.exportName];
  const problem = opts.check(value);
  if (problem !== null) {
    throw new PluginLoadError("WRONG_SHAPE", specifier, opts.where, `${spec.exportName} ${problem}`);
  }
  try {
    return opts.build ? await opts.build(value) : (value as T);
  } catch (err) {
    if (PluginLoadError.isInstance(err)) throw err;
    throw new PluginLoadError(
      "WRONG_SHAPE",
      specifier,
      opts.where,
      `${spec.exportName} could not be built: ${describe(err)}`,
      err,
    );
  }
}

// A path resolves against baseDir; a module name is looked up from baseDir's node_modules first (where the
// application installed it), then from the runtime's own (a workspace, a global install).
function resolveModule(module: string, baseDir: string | undefined): string {
  if (module.startsWith(".") || isAbsolute(module)) {
    return pathToFileURL(resolve(baseDir ?? process.cwd(), module)).href;
  }
  try {
    return pathToFileURL(createRequire(join(baseDir ?? process.cwd(), "package.json")).resolve(module)).href;
  } catch {
    // ESM-only packages (no "require" condition) and misses fall through to import()'s own resolution.
    return module;
  }
}

function isModuleNotFound(err: unknown, module: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : "";
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
    // A module found but missing one of its own imports is a failing module, not a missing one.
    return message.includes(`'${module}'`) || message.includes(`"${module}"`) || message.includes(module);
  }
  // Vite-based runners (vitest) word it their own way.
  return /Cannot find (module|package)|Failed to (load|resolve)/.test(message) && message.includes(module);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
