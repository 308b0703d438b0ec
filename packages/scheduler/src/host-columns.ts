import type { HostState } from "./host-state.js";

/** The numeric columns the built-in weighers read, one entry per host position. */
export type ColumnName =
  | "free_ram_mb"
  | "free_disk_mb"
  | "vcpus_free"
  | "num_io_ops"
  | "failed_builds"
  | "pci_weight";

const MAX_DEVS = 100;

/**
 * Copies of the hot host numbers in typed arrays indexed by host position: reading them for thousands of hosts
 * touches a few contiguous arrays instead of thousands of scattered objects. The host manager writes them
 * whenever it changes a host, computing derived values with the weighers' own expressions.
 */
export class HostColumns {
  private cap = 0;
  readonly cols: Record<ColumnName, Float64Array> = {
    free_ram_mb: new Float64Array(0),
    free_disk_mb: new Float64Array(0),
    vcpus_free: new Float64Array(0),
    num_io_ops: new Float64Array(0),
    failed_builds: new Float64Array(0),
    pci_weight: new Float64Array(0),
  };
  aggregateSetId = new Int32Array(0);
  imageSupportId = new Int32Array(0);

  /** Records a host's current numbers at its position. */
  write(h: HostState): void {
    const i = h.position;
    if (i >= this.cap) this.grow(Math.max(i + 1, this.cap * 2, 1024));
    const c = this.cols;
    c.free_ram_mb[i] = h.free_ram_mb;
    c.free_disk_mb[i] = h.free_disk_mb;
    c.vcpus_free[i] = h.vcpus_total * h.cpu_allocation_ratio - h.vcpus_used;
    c.num_io_ops[i] = h.num_io_ops;
    c.failed_builds[i] = h.failed_builds;
    c.pci_weight[i] = MAX_DEVS - Math.min(h.pci_free_total, MAX_DEVS - 1);
    this.aggregateSetId[i] = h.aggregateSet.id;
    this.imageSupportId[i] = h.imageSupportId;
  }

  private grow(n: number): void {
    for (const k of Object.keys(this.cols) as ColumnName[]) {
      const a = new Float64Array(n);
      a.set(this.cols[k]);
      this.cols[k] = a;
    }
    const g = new Int32Array(n);
    g.set(this.aggregateSetId);
    this.aggregateSetId = g;
    const im = new Int32Array(n);
    im.set(this.imageSupportId);
    this.imageSupportId = im;
    this.cap = n;
  }
}
