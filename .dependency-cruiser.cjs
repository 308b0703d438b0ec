// The layers of docs/architecture.md, enforced by scripts/test/layering.test.ts (and `npx depcruise packages apps`).
// Imports point down only; within one layer a package may use another as long as no cycle forms.
// A new package is one line in scripts/layers.cjs; the layering test fails until every workspace has a layer.

const { layers } = require("./scripts/layers.cjs");

// Test files may reach across layers (an integration test wires a conductor to a scheduler); src/test/ fakes are
// published as `./test` and so follow the layers like any other source.
const testFile = "(\\.test\\.ts$|^(packages|apps|examples)/[^/]+/test/)";
const folders = (names) => `^(${names.join("|")})/`;

const layerRules = layers.slice(0, -1).map(([name, dirs], i) => ({
  name: `${name}-imports-no-higher-layer`,
  comment: `${name} (${dirs.join(", ")}) may import only its own layer and those below it (docs/architecture.md)`,
  severity: "error",
  from: { path: folders(dirs), pathNot: testFile },
  to: { path: folders(layers.slice(i + 1).flatMap(([, d]) => d)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "messaging-depends-on-core-only",
      comment: "@nova/messaging is a general oslo.messaging port: no Nova types, no @nova/* package but core",
      severity: "error",
      from: { path: "^packages/messaging/", pathNot: testFile },
      to: { path: "^(packages|apps)/", pathNot: "^packages/(messaging|core)/" },
    },
    {
      name: "scheduler-is-pure",
      comment: "@nova/scheduler decides from host states and a request spec: no I/O package, no I/O module",
      severity: "error",
      from: { path: "^packages/scheduler/src/", pathNot: `${testFile}|^packages/scheduler/src/cli/` },
      to: {
        path: "^packages/(messaging|db|servicegroup|virt|virt-libvirt|config)/|^(fs|net|http|https|child_process|dgram|tls)$",
      },
    },
    {
      name: "no-testing-helpers-in-published-code",
      comment: "@nova/testing is private: only tests may import it",
      severity: "error",
      from: { path: "^(packages|apps)/", pathNot: `${testFile}|^packages/testing/` },
      to: { path: "^packages/testing/" },
    },
    {
      name: "no-package-cycles",
      comment: "no package reaches itself through another one, not even through types",
      severity: "error",
      from: { path: "^(packages|apps)/([^/]+)/" },
      to: { circular: true, pathNot: "^$1/$2/" },
    },
    {
      name: "no-module-cycles",
      comment:
        "no module cycle that runs: a type-only import back (a class naming its owner's type) is harmless",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|__fixtures__)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
  },
};
