// The layers of docs/architecture.md, bottom to top, as .dependency-cruiser.cjs enforces them.
// A new workspace is one line here: its folder in the layer it belongs to.

/** Bottom to top. Each entry: layer name and the workspace folders in it. */
module.exports.layers = [
  ["core", ["packages/core"]],
  // A general oslo.messaging port: it sits under the spec layer because the RPC contracts are built on it.
  ["transport", ["packages/messaging"]],
  ["spec", ["packages/objects", "packages/rpcapi", "packages/client"]],
  [
    "library",
    [
      "packages/config",
      "packages/console",
      "packages/db",
      "packages/scheduler",
      "packages/image-catalog",
      "packages/service",
      "packages/servicegroup",
      "packages/telemetry",
      "packages/virt",
      "packages/virt-libvirt",
    ],
  ],
  [
    "service",
    [
      "packages/api",
      "packages/api-backend",
      "packages/compute",
      "packages/conductor",
      "packages/scheduler-service",
    ],
  ],
  ["runtime", ["packages/runtime"]],
  // Examples are composition roots like the apps: they may use any package, and nothing imports them.
  ["app", ["apps/[^/]+", "examples/[^/]+"]],
];

// Workspaces outside the layers: private helpers only tests import (.dependency-cruiser.cjs keeps them there).
module.exports.testOnly = ["packages/testing"];
