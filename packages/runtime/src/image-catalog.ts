import { ConfigError, type NovaConfig } from "@nova/config";
import type { Logger } from "@nova/core";
import {
  type ImageCatalogContext,
  type ImageCatalogEntry,
  type ImageCatalogWithFiles,
  LocalImageCatalog,
} from "@nova/image-catalog";
import { loadPlugin, parsePluginSpecifier } from "./plugin-loader.js";

/**
 * The image catalogue `[glance] image_catalog` names: `local` (`<state_path>/images.json`, else `fallback`) or
 * `<npm module>#<Export>`, an ImageCatalogClass constructed with an ImageCatalogContext.
 */
export async function loadImageCatalog(
  config: Pick<NovaConfig, "DEFAULT" | "glance" | "raw">,
  opts: { logger: Logger; baseDir?: string | undefined; fallback?: readonly ImageCatalogEntry[] },
): Promise<ImageCatalogWithFiles> {
  const name = config.glance.image_catalog;
  if (!parsePluginSpecifier(name)) {
    if (name !== "local") {
      throw new ConfigError(
        "CONFIG_INVALID",
        `Invalid value for option image_catalog in group [glance]: "${name}" (known: local, or <npm module>#<Export>)`,
        { group: "glance", option: "image_catalog" },
      );
    }
    return LocalImageCatalog.fromStateDir(config.DEFAULT.state_path, opts.fallback);
  }
  return loadPlugin<ImageCatalogWithFiles>(name, {
    where: { group: "glance", option: "image_catalog" },
    baseDir: opts.baseDir,
    check: (v) => {
      const proto =
        typeof v === "function" ? (v as { prototype?: Record<string, unknown> }).prototype : undefined;
      if (!proto) return "is not a class (an ImageCatalogClass)";
      const methods = ["list", "get", "create", "update", "delete"];
      return methods.every((m) => typeof proto[m] === "function")
        ? null
        : "lacks ImageStore methods (list, get, create, update, delete)";
    },
    build: (v) => {
      const context: ImageCatalogContext = {
        statePath: config.DEFAULT.state_path,
        config: config.raw,
        logger: opts.logger,
      };
      return new (v as new (c: ImageCatalogContext) => ImageCatalogWithFiles)(context);
    },
  });
}
