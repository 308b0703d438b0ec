import type { HostWeigher } from "./host-weigher.js";
import { multiplierFor } from "./host-weigher.js";

/** RAMWeigher: free RAM (spreads by default). */
export const ramWeigher: HostWeigher = {
  name: "RAMWeigher",
  minval: 0,
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => h.free_ram_mb,
    multiplier: multiplierFor("ram_weight_multiplier", config.ram_weight_multiplier),
  }),
};

/** CPUWeigher: free vCPUs after the allocation ratio. */
export const cpuWeigher: HostWeigher = {
  name: "CPUWeigher",
  minval: 0,
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => h.vcpus_total * h.cpu_allocation_ratio - h.vcpus_used,
    multiplier: multiplierFor("cpu_weight_multiplier", config.cpu_weight_multiplier),
  }),
};

/** DiskWeigher: free disk. */
export const diskWeigher: HostWeigher = {
  name: "DiskWeigher",
  minval: 0,
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => h.free_disk_mb,
    multiplier: multiplierFor("disk_weight_multiplier", config.disk_weight_multiplier),
  }),
};

/** IoOpsWeigher: concurrent I/O-heavy operations (negative multiplier prefers idle hosts). */
export const ioOpsWeigher: HostWeigher = {
  name: "IoOpsWeigher",
  minval: 0,
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => h.num_io_ops,
    multiplier: multiplierFor("io_ops_weight_multiplier", config.io_ops_weight_multiplier),
  }),
};

const MAX_DEVS = 100;

/** PCIWeigher: prefers hosts with fewer free PCI devices. */
export const pciWeigher: HostWeigher = {
  name: "PCIWeigher",
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => MAX_DEVS - Math.min(h.pci_free_total, MAX_DEVS - 1),
    multiplier: multiplierFor("pci_weight_multiplier", config.pci_weight_multiplier),
  }),
};

/** BuildFailureWeigher: recent failed builds, with the multiplier negated. */
export const buildFailureWeigher: HostWeigher = {
  name: "BuildFailureWeigher",
  valueStableWithinRequest: true,
  prepare: ({ config }) => ({
    value: (h) => h.failed_builds,
    multiplier: multiplierFor(
      "build_failure_weight_multiplier",
      config.build_failure_weight_multiplier,
      true,
    ),
  }),
};
