/** The size of a guest, as the compute manager hands it to a driver (Nova's Flavor, the fields drivers read). */
export interface DriverFlavor {
  /** The flavor's public id (Nova's `flavorid`). */
  readonly flavorId: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  /** Root disk size in GiB; 0 means "the image's own size". */
  readonly rootGb: number;
  readonly ephemeralGb: number;
  readonly swapMb: number;
  /** Flavor extra specs (`hw:cpu_policy`, `quota:cpu_shares`, ...). */
  readonly extraSpecs: Readonly<Record<string, string>>;
}
