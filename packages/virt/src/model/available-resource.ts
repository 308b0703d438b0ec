/** A host's capacity and usage, as the resource tracker records it for the compute node (Nova's dict). */
export interface AvailableResource {
  /** Virtual CPUs of the host. */
  readonly vcpus: number;
  /** Memory of the host in MiB. */
  readonly memoryMb: number;
  /** Local disk of the host in GiB. */
  readonly localGb: number;
  /** Virtual CPUs the guests use. */
  readonly vcpusUsed: number;
  /** Memory in use, in MiB. */
  readonly memoryMbUsed: number;
  /** Local disk in use, in GiB. */
  readonly localGbUsed: number;
  /** "fake", "QEMU", "KVM", ... */
  readonly hypervisorType: string;
  /** Version as Nova encodes it (see versionToInt). */
  readonly hypervisorVersion: number;
  /** The node name. */
  readonly hypervisorHostname: string;
  /** CPU model and topology as a JSON string (Nova's `cpu_info`). */
  readonly cpuInfo: string;
  /** Free disk in GiB if every disk grew to its full size; null when unknown. */
  readonly diskAvailableLeast: number | null;
  /** What the host can run: [architecture, hypervisor type, VM mode]. */
  readonly supportedInstances: ReadonlyArray<readonly [arch: string, hvType: string, vmMode: string]>;
}

/** Nova's integer encoding of a dotted version, 1000 per component ("1.0" -> 1000, "7.2.0" -> 7002000). */
export function versionToInt(version: string): number {
  return version.split(".").reduce((acc, part) => acc * 1000 + (Number.parseInt(part, 10) || 0), 0);
}
