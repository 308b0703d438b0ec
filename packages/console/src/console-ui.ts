import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { InlineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
// From sources (src/) the package root is one up; from the build (dist/) too.
const packageRoot = resolve(here, "..");

/** Where the package keeps the built page: `dist/ui` (the package's build makes it). */
export function defaultConsoleUiDir(): string {
  return join(packageRoot, "dist", "ui");
}

/** The vite configuration of the page: Preact's JSX, relative asset paths, output in `outDir`. */
export function consoleViteConfig(outDir: string = defaultConsoleUiDir()): InlineConfig {
  return {
    configFile: false,
    root: join(packageRoot, "ui"),
    base: "./",
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 200 },
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  };
}

/** Bundles the page with vite into `outDir` and returns it. */
export async function buildConsoleUi(outDir: string = defaultConsoleUiDir()): Promise<string> {
  const { build } = await import("vite");
  await build(consoleViteConfig(outDir));
  return outDir;
}

/**
 * The built page's folder, building it first when a checkout has not yet (`npm start` on a fresh clone runs
 * from sources).
 */
export async function ensureConsoleUi(outDir: string = defaultConsoleUiDir()): Promise<string> {
  if (existsSync(join(outDir, "index.html"))) return outDir;
  if (!existsSync(join(packageRoot, "ui", "index.html"))) {
    throw new Error(`the console page is not built and its sources are missing (${outDir})`);
  }
  return buildConsoleUi(outDir);
}
