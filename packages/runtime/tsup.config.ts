import { defineConfig } from "tsup";

export default defineConfig({
  // One entry point per service, so a process loads only its own service's packages.
  entry: [
    "src/index.ts",
    "src/compute.ts",
    "src/conductor.ts",
    "src/scheduler.ts",
    "src/api.ts",
    "src/databases.ts",
  ],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
