import { defineConfig, type Options } from "tsup";

/** The one build every publishable package shares: ESM with declarations and source maps, for Node 20. */
export function packageBuild(entry: string[]): Options | Options[] {
  return defineConfig({
    entry,
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
  }) as Options | Options[];
}
