import { packageBuild } from "../../tsup.base.js";

// One entry point per service, so a process loads only its own service's packages.
export default packageBuild([
  "src/index.ts",
  "src/compute.ts",
  "src/conductor.ts",
  "src/scheduler.ts",
  "src/api.ts",
  "src/databases.ts",
  "src/tracing.ts",
  "src/control-plane.ts",
]);
