import { XMLParser } from "fast-xml-parser";

/** One kind of guest the host can run (a <guest> of the capabilities). */
export interface GuestCapability {
  /** `hvm`. */
  readonly osType: string;
  /** The guest architecture. */
  readonly arch: string;
  /** 32 or 64. */
  readonly wordsize: number;
  /** The emulator binary. */
  readonly emulator: string;
  /** Machine types offered. */
  readonly machines: readonly string[];
  /** Domain types available for this arch: "qemu", "kvm". */
  readonly domainTypes: readonly string[];
}

/** The host capabilities Nova's driver reads: CPU model, topology and features, and the guests it can run. */
export interface HostCapabilities {
  /** The host's uuid. */
  readonly uuid: string;
  /** The host CPU. */
  readonly cpu: {
    readonly arch: string;
    readonly model: string;
    readonly vendor: string;
    readonly topology: { readonly sockets: number; readonly cores: number; readonly threads: number };
    readonly features: readonly string[];
  };
  /** The kinds of guests the host can run. */
  readonly guests: readonly GuestCapability[];
}

const ARRAYS = new Set([
  "capabilities.host.cpu.feature",
  "capabilities.guest",
  "capabilities.guest.arch.machine",
  "capabilities.guest.arch.domain",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
});

type Node = Record<string, unknown>;
const obj = (v: unknown): Node => (v && typeof v === "object" ? (v as Node) : {});
const text = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "object" && v ? String((v as Node)["#text"] ?? "") : "";
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Parses `virConnectGetCapabilities` XML. */
export function parseHostCapabilities(xml: string): HostCapabilities {
  const root = obj(obj(parser.parse(xml)).capabilities);
  if (Object.keys(root).length === 0) throw new Error("not a libvirt capabilities document");
  const host = obj(root.host);
  const cpu = obj(host.cpu);
  const topology = obj(cpu.topology);
  return {
    uuid: text(host.uuid),
    cpu: {
      arch: text(cpu.arch),
      model: text(cpu.model),
      vendor: text(cpu.vendor),
      topology: {
        sockets: Number(topology["@sockets"] ?? 1),
        cores: Number(topology["@cores"] ?? 1),
        threads: Number(topology["@threads"] ?? 1),
      },
      features: list(cpu.feature).map((f) => String(obj(f)["@name"])),
    },
    guests: list(root.guest).map((g) => {
      const guest = obj(g);
      const arch = obj(guest.arch);
      return {
        osType: text(guest.os_type),
        arch: String(arch["@name"] ?? ""),
        wordsize: Number(text(arch.wordsize) || 0),
        emulator: text(arch.emulator),
        machines: list(arch.machine).map(text),
        domainTypes: list(arch.domain).map((d) => String(obj(d)["@type"])),
      };
    }),
  };
}

/** Nova's `supported_instances`: [arch, hypervisor type, vm mode] for each guest arch and domain type. */
export function supportedInstances(caps: HostCapabilities): Array<[string, string, string]> {
  return caps.guests.flatMap((g) =>
    g.domainTypes.map((t): [string, string, string] => [g.arch, t, g.osType]),
  );
}

/** Nova's `cpu_info` JSON: the host CPU's arch, model, vendor, topology and features (sorted). */
export function cpuInfoJson(caps: HostCapabilities): string {
  const { cpu } = caps;
  return JSON.stringify({
    arch: cpu.arch,
    model: cpu.model,
    vendor: cpu.vendor,
    topology: {
      cells: 1,
      sockets: cpu.topology.sockets,
      cores: cpu.topology.cores,
      threads: cpu.topology.threads,
    },
    features: [...cpu.features].sort(),
  });
}
