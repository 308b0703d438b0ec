import type { GuestConfig, NovaMetadata } from "./guest-config.js";
import { el, renderXml, type XmlElement } from "./xml-element.js";

/** The namespace of Nova's metadata element (version 1.1, as Nova writes it). */
export const NOVA_METADATA_NS = "http://openstack.org/xmlns/libvirt/nova/1.1";

/** Renders a guest config as libvirt domain XML. */
export function buildDomainXml(config: GuestConfig): string {
  return `${renderXml(domainElement(config))}\n`;
}

function domainElement(c: GuestConfig): XmlElement {
  return el(
    "domain",
    { type: c.virtType },
    el("uuid", {}, c.uuid),
    el("name", {}, c.name),
    el("memory", { unit: "KiB" }, String(c.memoryKb)),
    el("currentMemory", { unit: "KiB" }, String(c.memoryKb)),
    el("vcpu", {}, String(c.vcpus)),
    c.metadata && el("metadata", {}, novaMetadataElement(c.metadata)),
    c.sysinfo &&
      el(
        "sysinfo",
        { type: "smbios" },
        el(
          "system",
          {},
          el("entry", { name: "manufacturer" }, c.sysinfo.manufacturer),
          el("entry", { name: "product" }, c.sysinfo.product),
          el("entry", { name: "version" }, c.sysinfo.version),
          el("entry", { name: "serial" }, c.uuid),
          el("entry", { name: "uuid" }, c.uuid),
          el("entry", { name: "family" }, "Virtual Machine"),
        ),
      ),
    osElement(c),
    el(
      "features",
      {},
      c.features.map((f) => el(f)),
    ),
    cpuElement(c),
    el(
      "clock",
      { offset: c.clock.offset },
      c.clock.timers.map((t) =>
        el("timer", {
          name: t.name,
          tickpolicy: t.tickpolicy,
          present: t.present === undefined ? undefined : t.present ? "yes" : "no",
        }),
      ),
    ),
    el("on_poweroff", {}, c.onPoweroff),
    el("on_reboot", {}, c.onReboot),
    el("on_crash", {}, c.onCrash),
    devicesElement(c),
  );
}

function osElement(c: GuestConfig): XmlElement {
  const os = c.os;
  return el(
    "os",
    {},
    el("type", { arch: os.arch, machine: os.machine }, os.type),
    os.kernel && el("kernel", {}, os.kernel),
    os.initrd && el("initrd", {}, os.initrd),
    os.cmdline && el("cmdline", {}, os.cmdline),
    !os.kernel && (os.bootDevices ?? ["hd"]).map((dev) => el("boot", { dev })),
    os.smbiosSysinfo && el("smbios", { mode: "sysinfo" }),
  );
}

function cpuElement(c: GuestConfig): XmlElement | undefined {
  const cpu = c.cpu;
  if (!cpu) return undefined;
  const topology =
    cpu.topology &&
    el("topology", {
      sockets: cpu.topology.sockets,
      cores: cpu.topology.cores,
      threads: cpu.topology.threads,
    });
  if (cpu.mode === "none") return topology ? el("cpu", {}, topology) : undefined;
  if (cpu.mode === "custom") {
    return el(
      "cpu",
      { mode: "custom", match: "exact" },
      cpu.model && el("model", { fallback: "allow" }, cpu.model),
      topology,
    );
  }
  return el("cpu", { mode: cpu.mode, check: cpu.mode === "host-model" ? "partial" : undefined }, topology);
}

function devicesElement(c: GuestConfig): XmlElement {
  return el(
    "devices",
    {},
    c.disks.map((d) =>
      el(
        "disk",
        { type: "file", device: d.device },
        el("driver", { name: "qemu", type: d.format, cache: d.cache }),
        el("source", { file: d.sourcePath }),
        el("target", { dev: d.targetDev, bus: d.bus }),
        d.readOnly && el("readonly"),
        d.serial && el("serial", {}, d.serial),
      ),
    ),
    c.interfaces.map((i) =>
      el(
        "interface",
        { type: i.type },
        el("mac", { address: i.macAddress }),
        el("model", { type: i.model }),
        i.type === "bridge" && i.sourceBridge && el("source", { bridge: i.sourceBridge }),
        i.targetDev && i.type !== "user" && el("target", { dev: i.targetDev }),
        i.mtu !== undefined && el("mtu", { size: i.mtu }),
      ),
    ),
    c.serial &&
      el(
        "serial",
        { type: c.serial.type },
        c.serial.logFile && el("log", { file: c.serial.logFile, append: "off" }),
        el("target", { port: 0 }),
      ),
    c.serial && el("console", { type: c.serial.type }, el("target", { type: "serial", port: 0 })),
    c.inputTablet && el("input", { type: "tablet", bus: "usb" }),
    c.graphics &&
      el(
        "graphics",
        { type: c.graphics.type, autoport: c.graphics.autoport ? "yes" : "no", listen: c.graphics.listen },
        el("listen", { type: "address", address: c.graphics.listen }),
      ),
    c.video && el("video", {}, el("model", { type: c.video.model })),
    c.rng && el("rng", { model: "virtio" }, el("backend", { model: "random" }, "/dev/urandom")),
    c.memballoon &&
      el(
        "memballoon",
        { model: c.memballoon.model },
        c.memballoon.model !== "none" &&
          (c.memballoon.statsPeriodSeconds ?? 0) > 0 &&
          el("stats", { period: c.memballoon.statsPeriodSeconds }),
      ),
  );
}

function novaMetadataElement(m: NovaMetadata): XmlElement {
  return el(
    "nova:instance",
    { "xmlns:nova": NOVA_METADATA_NS },
    el("nova:package", { version: m.packageVersion }),
    el("nova:name", {}, m.name),
    el("nova:creationTime", {}, m.creationTime),
    el(
      "nova:flavor",
      { name: m.flavor.name },
      el("nova:memory", {}, String(m.flavor.memoryMb)),
      el("nova:disk", {}, String(m.flavor.diskGb)),
      el("nova:swap", {}, String(m.flavor.swapMb)),
      el("nova:ephemeral", {}, String(m.flavor.ephemeralGb)),
      el("nova:vcpus", {}, String(m.flavor.vcpus)),
    ),
    el(
      "nova:owner",
      {},
      el("nova:user", { uuid: m.owner.userId }, m.owner.userName),
      el("nova:project", { uuid: m.owner.projectId }, m.owner.projectName),
    ),
    m.rootImageId && el("nova:root", { type: "image", uuid: m.rootImageId }),
    el(
      "nova:ports",
      {},
      m.ports.map((p) =>
        el(
          "nova:port",
          { uuid: p.id },
          p.ips.map((ip) => el("nova:ip", { type: "fixed", address: ip.address, ipVersion: ip.version })),
        ),
      ),
    ),
  );
}
