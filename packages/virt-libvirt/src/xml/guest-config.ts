// Typed description of a libvirt guest (the parts Nova's driver sets), turned into domain XML by domain-xml.ts.

/** `[libvirt] virt_type`: hardware virtualisation, or QEMU's software emulation (TCG). */
export type VirtType = "kvm" | "qemu";

/** `[libvirt] cpu_mode`. */
export type CpuMode = "host-model" | "host-passthrough" | "custom" | "none";

/** Boot firmware and what to boot. */
export interface GuestOs {
  readonly type: "hvm";
  readonly arch?: string;
  readonly machine?: string;
  /** Direct kernel boot: kernel, initrd and command line on the host. */
  readonly kernel?: string;
  readonly initrd?: string;
  readonly cmdline?: string;
  /** Boot devices in order when not booting a kernel directly. */
  readonly bootDevices?: ReadonlyArray<"hd" | "cdrom" | "network">;
  /** SMBIOS from <sysinfo> (Nova sets it so the guest sees its uuid and vendor). */
  readonly smbiosSysinfo?: boolean;
}

/** The guest CPU. */
export interface GuestCpu {
  readonly mode: CpuMode;
  /** The named model for mode "custom". */
  readonly model?: string;
  readonly topology?: { readonly sockets: number; readonly cores: number; readonly threads: number };
}

/** A guest clock timer (Nova: pit delay, rtc catchup, hpet off). */
export interface GuestTimer {
  readonly name: "pit" | "rtc" | "hpet" | "hypervclock" | "kvmclock";
  readonly tickpolicy?: "delay" | "catchup" | "merge" | "discard";
  readonly present?: boolean;
}

/** A disk backed by a file on the host. */
export interface GuestDisk {
  readonly device: "disk" | "cdrom";
  readonly sourcePath: string;
  /** qemu driver format. */
  readonly format: "qcow2" | "raw";
  readonly cache?: "none" | "writeback" | "writethrough" | "unsafe" | "directsync";
  readonly targetDev: string;
  readonly bus: "virtio" | "scsi" | "ide" | "sata";
  readonly serial?: string;
  readonly readOnly?: boolean;
}

/** A NIC. "bridge" plugs into a host bridge, "ethernet" into a tap, "user" is QEMU user-mode networking. */
export interface GuestInterface {
  readonly type: "bridge" | "ethernet" | "user";
  readonly macAddress: string;
  readonly model: string;
  readonly sourceBridge?: string;
  readonly targetDev?: string;
  readonly mtu?: number;
}

/** The serial console: a pty whose output virtlogd also writes to `logFile` (what get_console_output reads). */
export interface GuestSerial {
  readonly type: "pty";
  readonly logFile?: string;
}

/** Remote display. */
export interface GuestGraphics {
  readonly type: "vnc" | "spice";
  readonly listen: string;
  readonly autoport: boolean;
}

/** Nova's <nova:instance> metadata element: who owns the guest and what it was built from. */
export interface NovaMetadata {
  readonly packageVersion: string;
  readonly name: string;
  /** "YYYY-MM-DD HH:MM:SS", as Nova writes it. */
  readonly creationTime: string;
  readonly flavor: {
    readonly name: string;
    readonly memoryMb: number;
    readonly diskGb: number;
    readonly swapMb: number;
    readonly ephemeralGb: number;
    readonly vcpus: number;
  };
  readonly owner: {
    readonly userId: string;
    readonly userName: string;
    readonly projectId: string;
    readonly projectName: string;
  };
  /** The image the root disk came from. */
  readonly rootImageId?: string;
  readonly ports: ReadonlyArray<{
    readonly id: string;
    readonly ips: ReadonlyArray<{ readonly address: string; readonly version: 4 | 6 }>;
  }>;
}

/** Everything domain-xml.ts writes. */
export interface GuestConfig {
  readonly virtType: VirtType;
  readonly name: string;
  readonly uuid: string;
  readonly memoryKb: number;
  readonly vcpus: number;
  readonly metadata?: NovaMetadata;
  readonly sysinfo?: { readonly manufacturer: string; readonly product: string; readonly version: string };
  readonly os: GuestOs;
  readonly features: ReadonlyArray<"acpi" | "apic" | "pae" | "vmcoreinfo">;
  readonly cpu?: GuestCpu;
  readonly clock: { readonly offset: "utc" | "localtime"; readonly timers: readonly GuestTimer[] };
  readonly onPoweroff: "destroy" | "restart";
  readonly onReboot: "destroy" | "restart";
  readonly onCrash: "destroy" | "restart";
  readonly disks: readonly GuestDisk[];
  readonly interfaces: readonly GuestInterface[];
  readonly serial?: GuestSerial;
  readonly graphics?: GuestGraphics;
  readonly video?: { readonly model: "virtio" | "vga" | "cirrus" | "qxl" };
  readonly inputTablet?: boolean;
  /** The memory balloon; `statsPeriodSeconds` as Nova's mem_stats_period_seconds (0 leaves stats off). */
  readonly memballoon?: { readonly model: "virtio" | "none"; readonly statsPeriodSeconds?: number };
  /** A virtio RNG fed from the host's /dev/urandom. */
  readonly rng?: boolean;
}
