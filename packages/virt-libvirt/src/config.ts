import { join } from "node:path";
import { booleanInput, listInput, numberInput } from "@nova/core";
import { z } from "zod";

// Strings from nova.conf are read by oslo.config's rules (@nova/core); typed values from code pass as they are.
const bool = z.preprocess(booleanInput, z.boolean());
const csv = z.preprocess(listInput, z.array(z.string()));
const int = (min: number) => z.preprocess(numberInput, z.number().int().min(min));
const seconds = z.preprocess(numberInput, z.number().min(0));

/**
 * The options the libvirt driver reads, with Nova's section and option names (`[libvirt] virt_type`, ...), as
 * they come from a nova.conf-style INI file (strings) or from code (typed values).
 */
export const libvirtDriverConfigSchema = z.object({
  DEFAULT: z
    .object({
      /** Where instance folders and the `_base` image cache live. */
      instances_path: z.string().min(1).default("/var/lib/nova/instances"),
    })
    .prefault({}),
  libvirt: z
    .object({
      virt_type: z.enum(["kvm", "qemu"]).default("kvm"),
      /** Empty: derived from virt_type (qemu:///system). */
      connection_uri: z.string().default(""),
      /** Default: host-model for kvm; none for qemu (TCG cannot run the host's model faithfully). */
      cpu_mode: z.enum(["host-model", "host-passthrough", "custom", "none"]).optional(),
      cpu_models: csv.default([]),
      /** "default" is Nova's spelling of "qcow2 overlays" (use_cow_images). */
      images_type: z.enum(["default", "qcow2", "flat"]).default("default"),
      wait_soft_reboot_seconds: int(0).default(120),
      /** Where snapshots are written (Nova's default: `$instances_path/snapshots`); empty takes that default. */
      snapshots_directory: z.string().default(""),
      mem_stats_period_seconds: int(0).default(10),
      /** nova-ts: the daemon socket the remote protocol is spoken on. */
      socket_path: z.string().min(1).default("/var/run/libvirt/libvirt-sock"),
      /** nova-ts: how long a "stopped" event waits for a "started" that would make it a reboot (Nova: 15 s). */
      lifecycle_event_delay_seconds: seconds.default(15),
    })
    .prefault({}),
  vnc: z
    .object({
      enabled: bool.default(true),
      server_listen: z.string().default("127.0.0.1"),
    })
    .prefault({}),
});

/** The libvirt driver's configuration, parsed. */
export interface LibvirtDriverConfig {
  /** `[DEFAULT] instances_path`: where instance folders and `_base` live. */
  readonly instancesPath: string;
  /** `[libvirt] virt_type`: `kvm`, or `qemu` for software emulation. */
  readonly virtType: "kvm" | "qemu";
  /** `[libvirt] connection_uri` (default from virt_type: `qemu:///system`). */
  readonly connectionUri: string;
  /** `[libvirt] cpu_mode` (default `host-model` for kvm, `none` for qemu). */
  readonly cpuMode: "host-model" | "host-passthrough" | "custom" | "none";
  /** `[libvirt] cpu_models`, for `cpu_mode = custom`. */
  readonly cpuModels: readonly string[];
  /** `[libvirt] images_type`: a qcow2 overlay per instance, or a flat copy. */
  readonly imagesType: "qcow2" | "flat";
  /** `[libvirt] snapshots_directory`: where snapshots are written; the image catalogue then owns the files. */
  readonly snapshotsDirectory: string;
  /** `[libvirt] wait_soft_reboot_seconds`: how long a soft reboot waits before it goes hard. */
  readonly waitSoftRebootSeconds: number;
  /** `[libvirt] mem_stats_period_seconds`: the balloon's statistics period (0: off). */
  readonly memStatsPeriodSeconds: number;
  /** The libvirtd unix socket the remote protocol connects to. */
  readonly socketPath: string;
  /** How long a "stopped" lifecycle event is held back, in case the guest starts again (a reboot). */
  readonly lifecycleEventDelaySeconds: number;
  /** `[vnc] enabled` and `server_listen`. */
  readonly vnc: { readonly enabled: boolean; readonly serverListen: string };
}

/** Parses the driver's options once, at the edge; a bad value throws a ZodError naming the option. */
export function parseLibvirtDriverConfig(input: unknown): LibvirtDriverConfig {
  const raw = libvirtDriverConfigSchema.parse(input ?? {});
  const lv = raw.libvirt;
  const cpuMode = lv.cpu_mode ?? (lv.virt_type === "kvm" ? "host-model" : "none");
  if (cpuMode === "custom" && lv.cpu_models.length === 0) {
    throw new z.ZodError([
      {
        code: "custom",
        path: ["libvirt", "cpu_models"],
        message: "cpu_mode = custom needs at least one of cpu_models",
        input: lv.cpu_models,
      },
    ]);
  }
  return {
    instancesPath: raw.DEFAULT.instances_path,
    virtType: lv.virt_type,
    connectionUri: lv.connection_uri || "qemu:///system",
    cpuMode,
    cpuModels: lv.cpu_models,
    imagesType: lv.images_type === "flat" ? "flat" : "qcow2",
    snapshotsDirectory: lv.snapshots_directory || join(raw.DEFAULT.instances_path, "snapshots"),
    waitSoftRebootSeconds: lv.wait_soft_reboot_seconds,
    memStatsPeriodSeconds: lv.mem_stats_period_seconds,
    socketPath: lv.socket_path,
    lifecycleEventDelaySeconds: lv.lifecycle_event_delay_seconds,
    vnc: { enabled: raw.vnc.enabled, serverListen: raw.vnc.server_listen },
  };
}
