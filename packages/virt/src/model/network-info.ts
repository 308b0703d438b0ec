/** A fixed IP on a subnet. */
export interface FixedIp {
  readonly address: string;
  readonly version: 4 | 6;
}

/** A subnet a VIF is on. */
export interface Subnet {
  readonly cidr: string;
  readonly gateway?: string;
  readonly ips: readonly FixedIp[];
  readonly dns?: readonly string[];
}

/** The network a VIF is plugged into. */
export interface Network {
  readonly id: string;
  readonly label?: string;
  /** Linux bridge (or OVS bridge) name on the host. */
  readonly bridge?: string;
  readonly mtu?: number;
  readonly subnets: readonly Subnet[];
}

/**
 * How a VIF attaches on the host, as Nova's VIF types: "bridge" (Linux bridge), "ovs", "ethernet" (a tap device
 * the driver creates), or "user" (QEMU user-mode networking, for tests and single-host setups).
 */
export type VifType = "bridge" | "ovs" | "ethernet" | "user";

/** One virtual NIC (Nova's VIF model). */
export interface Vif {
  /** The Neutron port id. */
  readonly id: string;
  /** The MAC address. */
  readonly address: string;
  readonly type: VifType;
  /** The host device name (`tap<port id prefix>`). */
  readonly devname?: string;
  readonly network: Network;
}

/** A guest's NICs in order (Nova's NetworkInfo). */
export type NetworkInfo = readonly Vif[];
