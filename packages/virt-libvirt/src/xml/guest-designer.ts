import type { DriverInstance, ImageMeta, NetworkInfo } from "@nova/virt";
import type {
  CpuMode,
  GuestConfig,
  GuestDisk,
  GuestInterface,
  NovaMetadata,
  VirtType,
} from "./guest-config.js";

/** Nova's kernel command line for images booted directly from a kernel without `os_command_line`. */
export const DEFAULT_KERNEL_CMDLINE = "root=/dev/vda console=tty0 console=ttyS0 console=hvc0";

/** What designGuest needs besides the instance: where the files are and how the host is configured. */
export interface GuestDesignInput {
  /** The instance to design the guest for. */
  readonly instance: DriverInstance;
  /** The image it boots from (its `hw_*` properties pick buses and models). */
  readonly imageMeta: ImageMeta;
  /** The guest's NICs. */
  readonly networkInfo: NetworkInfo;
  /** `[libvirt] virt_type`. */
  readonly virtType: VirtType;
  /** `[libvirt] cpu_mode`. */
  readonly cpuMode: CpuMode;
  /** The model for cpu_mode custom. */
  readonly cpuModel?: string;
  /** The instance's files on the host. */
  readonly paths: {
    readonly disk: string;
    readonly diskFormat: "qcow2" | "raw";
    readonly kernel?: string;
    readonly ramdisk?: string;
    readonly consoleLog: string;
  };
  /** "none" when the filesystem supports O_DIRECT (as Nova picks), else "writethrough". */
  readonly diskCache: "none" | "writethrough";
  /** The remote display, when `[vnc] enabled`. */
  readonly graphics?: { readonly type: "vnc" | "spice"; readonly listen: string };
  /** `[libvirt] mem_stats_period_seconds`. */
  readonly memStatsPeriodSeconds: number;
  /** Written into Nova's metadata element and SMBIOS. */
  readonly packageVersion: string;
  /** Used for the metadata's creation time when the instance has none (ms since the epoch). */
  readonly now: number;
}

const DISK_PREFIX: Record<string, string> = { virtio: "vd", scsi: "sd", sata: "sd", ide: "hd" };

/**
 * Turns an instance, its flavor, image metadata and network info into a guest config, with Nova's libvirt
 * defaults for x86: ACPI/APIC, UTC clock (local time for Windows) with pit/rtc/hpet timers as Nova sets them,
 * virtio disk and NIC unless the image asks otherwise, a serial console logged to a file, the balloon with stats.
 */
export function designGuest(input: GuestDesignInput): GuestConfig {
  const { instance, imageMeta, networkInfo } = input;
  const props = imageMeta.properties;
  const bus = (props.hwDiskBus ?? "virtio") as GuestDisk["bus"];
  const disk: GuestDisk = {
    device: "disk",
    sourcePath: input.paths.disk,
    format: input.paths.diskFormat,
    cache: input.diskCache,
    targetDev: `${DISK_PREFIX[bus] ?? "vd"}a`,
    bus,
  };
  const interfaces: GuestInterface[] = networkInfo.map((vif) => ({
    type: vif.type === "ovs" ? "bridge" : vif.type,
    macAddress: vif.address,
    model: props.hwVifModel ?? "virtio",
    ...(vif.network.bridge ? { sourceBridge: vif.network.bridge } : {}),
    ...(vif.devname ? { targetDev: vif.devname } : {}),
    ...(vif.network.mtu ? { mtu: vif.network.mtu } : {}),
  }));
  const directKernel = input.paths.kernel !== undefined;
  const windows = props.osType === "windows";
  return {
    virtType: input.virtType,
    name: instance.name,
    uuid: instance.uuid,
    memoryKb: instance.flavor.memoryMb * 1024,
    vcpus: instance.flavor.vcpus,
    metadata: novaMetadata(input),
    sysinfo: {
      manufacturer: "OpenStack Foundation",
      product: "OpenStack Nova",
      version: input.packageVersion,
    },
    os: {
      type: "hvm",
      ...(props.hwArchitecture ? { arch: props.hwArchitecture } : {}),
      ...(props.hwMachineType ? { machine: props.hwMachineType } : {}),
      ...(directKernel
        ? {
            kernel: input.paths.kernel,
            ...(input.paths.ramdisk ? { initrd: input.paths.ramdisk } : {}),
            cmdline: props.osCommandLine ?? DEFAULT_KERNEL_CMDLINE,
          }
        : { bootDevices: ["hd"] as const }),
      smbiosSysinfo: true,
    },
    features: ["acpi", "apic", "vmcoreinfo"],
    cpu: {
      mode: input.cpuMode,
      ...(input.cpuMode === "custom" && input.cpuModel ? { model: input.cpuModel } : {}),
      topology: { sockets: instance.flavor.vcpus, cores: 1, threads: 1 },
    },
    clock: {
      offset: windows ? "localtime" : "utc",
      timers: [
        { name: "pit", tickpolicy: "delay" },
        { name: "rtc", tickpolicy: "catchup" },
        { name: "hpet", present: false },
      ],
    },
    onPoweroff: "destroy",
    onReboot: "restart",
    onCrash: "destroy",
    disks: [disk],
    interfaces,
    serial: { type: "pty", logFile: input.paths.consoleLog },
    ...(input.graphics
      ? {
          graphics: { type: input.graphics.type, listen: input.graphics.listen, autoport: true },
          video: { model: (props.hwVideoModel as "virtio" | "vga" | "cirrus" | undefined) ?? "virtio" },
          inputTablet: true,
        }
      : {}),
    memballoon: { model: "virtio", statsPeriodSeconds: input.memStatsPeriodSeconds },
  };
}

function novaMetadata(input: GuestDesignInput): NovaMetadata {
  const { instance, imageMeta, networkInfo } = input;
  const f = instance.flavor;
  return {
    packageVersion: input.packageVersion,
    name: instance.displayName,
    creationTime: formatCreationTime(instance.createdAt ?? input.now),
    flavor: {
      name: f.name,
      memoryMb: f.memoryMb,
      diskGb: f.rootGb,
      swapMb: f.swapMb,
      ephemeralGb: f.ephemeralGb,
      vcpus: f.vcpus,
    },
    owner: {
      userId: instance.userId,
      userName: instance.userName ?? instance.userId,
      projectId: instance.projectId,
      projectName: instance.projectName ?? instance.projectId,
    },
    ...(imageMeta.id ? { rootImageId: imageMeta.id } : {}),
    ports: networkInfo.map((vif) => ({
      id: vif.id,
      ips: vif.network.subnets.flatMap((s) =>
        s.ips.map((ip) => ({ address: ip.address, version: ip.version })),
      ),
    })),
  };
}

/** Nova's creationTime format: "YYYY-MM-DD HH:MM:SS" in UTC. */
export function formatCreationTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
