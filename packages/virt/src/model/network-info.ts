/** A fixed IP on a subnet. */
export interface FixedIp {
  /** The IP address. */
  readonly address: string;
  /** 4 or 6. */
  readonly version: 4 | 6;
}

/** A subnet a VIF is on. */
export interface Subnet {
  /** The subnet's CIDR (`10.0.0.0/24`). */
  readonly cidr: string;
  /** The subnet's gateway address. */
  readonly gateway?: string;
  /** The VIF's addresses on this subnet. */
  readonly ips: readonly FixedIp[];
  /** DNS servers of the subnet. */
  readonly dns?: readonly string[];
}

/** The network a VIF is plugged into. */
export interface Network {
  /** The Neutron network id. */
  readonly id: string;
  /** The network's name. */
  readonly label?: string;
  /** Linux bridge (or OVS bridge) name on the host. */
  readonly bridge?: string;
  /** The network's MTU. */
  readonly mtu?: number;
  /** The subnets the VIF has addresses on. */
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
  /** How the VIF attaches on the host. */
  readonly type: VifType;
  /** The host device name (`tap<port id prefix>`). */
  readonly devname?: string;
  /** The network the VIF is plugged into. */
  readonly network: Network;
}

/** A guest's NICs in order (Nova's NetworkInfo). */
export type NetworkInfo = readonly Vif[];
