// Typed description of a libvirt guest (the parts Nova's driver sets), turned into domain XML by domain-xml.ts.

/** `[libvirt] virt_type`: hardware virtualisation, or QEMU's software emulation (TCG). */
export type VirtType = "kvm" | "qemu";

/** `[libvirt] cpu_mode`. */
export type CpuMode = "host-model" | "host-passthrough" | "custom" | "none";

/** Boot firmware and what to boot. */
export interface GuestOs {
  /** Full virtualisation (the only type Nova uses here). */
  readonly type: "hvm";
  /** Guest architecture (`x86_64`). */
  readonly arch?: string;
  /** Machine type (`pc`, `q35`). */
  readonly machine?: string;
  /** Direct kernel boot: kernel, initrd and command line on the host. */
  readonly kernel?: string;
  /** See {@link GuestOs.kernel}. */
  readonly initrd?: string;
  /** See {@link GuestOs.kernel}. */
  readonly cmdline?: string;
  /** Boot devices in order when not booting a kernel directly. */
  readonly bootDevices?: ReadonlyArray<"hd" | "cdrom" | "network">;
  /** SMBIOS from <sysinfo> (Nova sets it so the guest sees its uuid and vendor). */
  readonly smbiosSysinfo?: boolean;
}

/** The guest CPU. */
export interface GuestCpu {
  /** How the guest CPU relates to the host's. */
  readonly mode: CpuMode;
  /** The named model for mode "custom". */
  readonly model?: string;
  /** Sockets, cores and threads of the guest's vcpus. */
  readonly topology?: { readonly sockets: number; readonly cores: number; readonly threads: number };
}

/** A guest clock timer (Nova: pit delay, rtc catchup, hpet off). */
export interface GuestTimer {
  /** Which timer. */
  readonly name: "pit" | "rtc" | "hpet" | "hypervclock" | "kvmclock";
  /** What to do with missed ticks. */
  readonly tickpolicy?: "delay" | "catchup" | "merge" | "discard";
  /** False removes the timer from the guest. */
  readonly present?: boolean;
}

/** A disk backed by a file on the host. */
export interface GuestDisk {
  /** A hard disk or a CD-ROM. */
  readonly device: "disk" | "cdrom";
  /** The backing file on the host. */
  readonly sourcePath: string;
  /** qemu driver format. */
  readonly format: "qcow2" | "raw";
  /** The host page cache mode. */
  readonly cache?: "none" | "writeback" | "writethrough" | "unsafe" | "directsync";
  /** The device name in the guest (`vda`). */
  readonly targetDev: string;
  /** The bus the disk is on. */
  readonly bus: "virtio" | "scsi" | "ide" | "sata";
  /** The serial the guest sees. */
  readonly serial?: string;
  /** Read-only to the guest. */
  readonly readOnly?: boolean;
}

/** A NIC. "bridge" plugs into a host bridge, "ethernet" into a tap, "user" is QEMU user-mode networking. */
export interface GuestInterface {
  /** How the NIC attaches on the host. */
  readonly type: "bridge" | "ethernet" | "user";
  /** The MAC address. */
  readonly macAddress: string;
  /** The NIC model (`virtio`, `e1000`). */
  readonly model: string;
  /** The host bridge, for type bridge. */
  readonly sourceBridge?: string;
  /** The tap device's name on the host. */
  readonly targetDev?: string;
  /** The MTU. */
  readonly mtu?: number;
}

/** The serial console: a pty whose output virtlogd also writes to `logFile` (what get_console_output reads). */
export interface GuestSerial {
  /** A pseudo-terminal. */
  readonly type: "pty";
  /** Where virtlogd writes the console's output. */
  readonly logFile?: string;
}

/** Remote display. */
export interface GuestGraphics {
  /** The protocol. */
  readonly type: "vnc" | "spice";
  /** The address it listens on. */
  readonly listen: string;
  /** Pick a free port. */
  readonly autoport: boolean;
}

/** Nova's <nova:instance> metadata element: who owns the guest and what it was built from. */
export interface NovaMetadata {
  /** The nova-ts version that built the guest. */
  readonly packageVersion: string;
  /** The instance's display name. */
  readonly name: string;
  /** "YYYY-MM-DD HH:MM:SS", as Nova writes it. */
  readonly creationTime: string;
  /** The flavor's name and sizes. */
  readonly flavor: {
    readonly name: string;
    readonly memoryMb: number;
    readonly diskGb: number;
    readonly swapMb: number;
    readonly ephemeralGb: number;
    readonly vcpus: number;
  };
  /** The owning user and project, ids and names. */
  readonly owner: {
    readonly userId: string;
    readonly userName: string;
    readonly projectId: string;
    readonly projectName: string;
  };
  /** The image the root disk came from. */
  readonly rootImageId?: string;
  /** The guest's ports and their IPs. */
  readonly ports: ReadonlyArray<{
    readonly id: string;
    readonly ips: ReadonlyArray<{ readonly address: string; readonly version: 4 | 6 }>;
  }>;
}

/** Everything domain-xml.ts writes. */
export interface GuestConfig {
  /** kvm or qemu. */
  readonly virtType: VirtType;
  /** The domain name (Nova's instance name). */
  readonly name: string;
  /** The domain uuid (the instance's uuid). */
  readonly uuid: string;
  /** Memory in KiB. */
  readonly memoryKb: number;
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** Nova's metadata element. */
  readonly metadata?: NovaMetadata;
  /** The SMBIOS system information the guest sees. */
  readonly sysinfo?: { readonly manufacturer: string; readonly product: string; readonly version: string };
  /** Boot firmware and what to boot. */
  readonly os: GuestOs;
  /** Hypervisor features to enable. */
  readonly features: ReadonlyArray<"acpi" | "apic" | "pae" | "vmcoreinfo">;
  /** The guest CPU; the hypervisor's default when absent. */
  readonly cpu?: GuestCpu;
  /** Clock offset and timers. */
  readonly clock: { readonly offset: "utc" | "localtime"; readonly timers: readonly GuestTimer[] };
  /** What libvirt does when the guest powers off. */
  readonly onPoweroff: "destroy" | "restart";
  /** What libvirt does when the guest reboots. */
  readonly onReboot: "destroy" | "restart";
  /** What libvirt does when the guest crashes. */
  readonly onCrash: "destroy" | "restart";
  /** The disks, in order. */
  readonly disks: readonly GuestDisk[];
  /** The NICs, in order. */
  readonly interfaces: readonly GuestInterface[];
  /** The serial console. */
  readonly serial?: GuestSerial;
  /** The remote display. */
  readonly graphics?: GuestGraphics;
  /** The video device. */
  readonly video?: { readonly model: "virtio" | "vga" | "cirrus" | "qxl" };
  /** A USB tablet (absolute pointer for VNC). */
  readonly inputTablet?: boolean;
  /** The memory balloon; `statsPeriodSeconds` as Nova's mem_stats_period_seconds (0 leaves stats off). */
  readonly memballoon?: { readonly model: "virtio" | "none"; readonly statsPeriodSeconds?: number };
  /** A virtio RNG fed from the host's /dev/urandom. */
  readonly rng?: boolean;
}
