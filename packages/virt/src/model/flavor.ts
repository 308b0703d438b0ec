/** The size of a guest, as the compute manager hands it to a driver (Nova's Flavor, the fields drivers read). */
export interface DriverFlavor {
  /** The flavor's public id (Nova's `flavorid`). */
  readonly flavorId: string;
  /** The flavor's name (`m1.small`). */
  readonly name: string;
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** Memory in MiB. */
  readonly memoryMb: number;
  /** Root disk size in GiB; 0 means "the image's own size". */
  readonly rootGb: number;
  /** Ephemeral disk size in GiB (0: none). */
  readonly ephemeralGb: number;
  /** Swap disk size in MiB (0: none). */
  readonly swapMb: number;
  /** Flavor extra specs (`hw:cpu_policy`, `quota:cpu_shares`, ...). */
  readonly extraSpecs: Readonly<Record<string, string>>;
}
