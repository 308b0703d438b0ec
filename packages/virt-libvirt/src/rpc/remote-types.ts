import type { LibvirtErrorFields } from "./libvirt-error.js";
import type { XdrReader } from "./xdr-reader.js";
import type { XdrWriter } from "./xdr-writer.js";

// Encoders and decoders for the remote_protocol.x structures we use.

/** REMOTE_STRING_MAX: the longest string the protocol carries (1 MiB). */
export const REMOTE_STRING_MAX = 1_048_576;

/** A domain handle as the protocol carries it (remote_nonnull_domain). `id` is -1 for an inactive domain. */
export interface DomainRef {
  /** The domain's name. */
  readonly name: string;
  /** Lower-case dashed form. */
  readonly uuid: string;
  /** The running domain's id, -1 when inactive. */
  readonly id: number;
}

/** Formats 16 bytes as a dashed lower-case uuid. */
export function uuidToString(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses a uuid (dashed or not) into its 16 bytes. */
export function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TypeError(`not a uuid: ${uuid}`);
  return Buffer.from(hex, "hex");
}

/** Writes a remote_nonnull_string. */
export function writeString(w: XdrWriter, s: string): void {
  w.string(s, REMOTE_STRING_MAX);
}

/** Reads a remote_nonnull_string. */
export function readString(r: XdrReader): string {
  return r.string(REMOTE_STRING_MAX);
}

/** remote_string: a string that may be NULL. */
export function writeOptString(w: XdrWriter, s: string | null | undefined): void {
  w.optional(s, writeString);
}

/** Reads a remote_string (null when NULL). */
export function readOptString(r: XdrReader): string | null {
  return r.optional(readString);
}

/** Writes a remote_nonnull_domain. */
export function writeDomain(w: XdrWriter, d: DomainRef): void {
  writeString(w, d.name);
  w.fixedOpaque(uuidToBytes(d.uuid), 16);
  w.int(d.id);
}

/** Reads a remote_nonnull_domain. */
export function readDomain(r: XdrReader): DomainRef {
  const name = readString(r);
  const uuid = uuidToString(r.fixedOpaque(16));
  return { name, uuid, id: r.int() };
}

/** remote_error, as carried by a failed reply. */
export function readError(r: XdrReader): LibvirtErrorFields {
  const virCode = r.int();
  const virDomain = r.int();
  const message = readOptString(r);
  const level = r.int();
  r.optional(readDomain); // dom: unused by libvirt
  const str1 = readOptString(r);
  const str2 = readOptString(r);
  const str3 = readOptString(r);
  const int1 = r.int();
  const int2 = r.int();
  r.optional((x) => [readString(x), x.fixedOpaque(16)]); // net: unused by libvirt
  return {
    virCode,
    virDomain,
    message: message ?? "unknown libvirt error",
    level,
    str1,
    str2,
    str3,
    int1,
    int2,
  };
}

/** Writes remote_error (used by tests that play the daemon's part). */
export function writeError(w: XdrWriter, e: LibvirtErrorFields): void {
  w.int(e.virCode).int(e.virDomain);
  writeOptString(w, e.message);
  w.int(e.level);
  w.bool(false);
  writeOptString(w, e.str1);
  writeOptString(w, e.str2);
  writeOptString(w, e.str3);
  w.int(e.int1 ?? 0).int(e.int2 ?? 0);
  w.bool(false);
}

/** virNodeInfo (remote_node_get_info_ret). */
export interface NodeInfo {
  /** CPU model, e.g. "x86_64". */
  readonly model: string;
  /** Memory in KiB. */
  readonly memoryKb: number;
  /** Active CPUs. */
  readonly cpus: number;
  /** CPU frequency in MHz. */
  readonly mhz: number;
  /** NUMA nodes. */
  readonly nodes: number;
  /** CPU sockets per node. */
  readonly sockets: number;
  /** Cores per socket. */
  readonly cores: number;
  /** Threads per core. */
  readonly threads: number;
}

/** Reads a remote_node_get_info_ret. */
export function readNodeInfo(r: XdrReader): NodeInfo {
  // char model[32]: XDR encodes each char as a 4-byte integer.
  const chars: number[] = [];
  for (let i = 0; i < 32; i++) chars.push(r.int() & 0xff);
  const end = chars.indexOf(0);
  const model = Buffer.from(end < 0 ? chars : chars.slice(0, end)).toString("latin1");
  return {
    model,
    memoryKb: r.uhyper(),
    cpus: r.int(),
    mhz: r.int(),
    nodes: r.int(),
    sockets: r.int(),
    cores: r.int(),
    threads: r.int(),
  };
}

/** virDomainInfo (remote_domain_get_info_ret). */
export interface DomainInfo {
  /** virDomainState (DomainState.RUNNING, ...). */
  readonly state: number;
  /** Memory the domain may grow to, in KiB. */
  readonly maxMemoryKb: number;
  /** Memory the domain has now, in KiB. */
  readonly memoryKb: number;
  /** Virtual CPUs. */
  readonly vcpus: number;
  /** CPU time in nanoseconds. */
  readonly cpuTimeNs: number;
}

/** Reads a remote_domain_get_info_ret. */
export function readDomainInfo(r: XdrReader): DomainInfo {
  // unsigned char and unsigned short travel as 4-byte integers.
  return {
    state: r.uint() & 0xff,
    maxMemoryKb: r.uhyper(),
    memoryKb: r.uhyper(),
    vcpus: r.uint() & 0xffff,
    cpuTimeNs: r.uhyper(),
  };
}

/** A lifecycle event as the daemon sends it (remote_domain_event_lifecycle_msg). */
export interface DomainLifecycleMessage {
  /** The domain the event is about. */
  readonly domain: DomainRef;
  /** virDomainEventType (DomainEventType.STARTED, ...). */
  readonly event: number;
  /** The event's detail (e.g. STOPPED_SHUTDOWN). */
  readonly detail: number;
}

/** Reads a remote_domain_event_lifecycle_msg. */
export function readLifecycleMessage(r: XdrReader): DomainLifecycleMessage {
  return { domain: readDomain(r), event: r.int(), detail: r.int() };
}

/** One entry of node memory stats (remote_node_get_memory_stats). */
export interface NodeMemoryStat {
  /** The statistic's name (`total`, `free`, `buffers`, `cached`). */
  readonly field: string;
  /** KiB. */
  readonly value: number;
}

/** Reads one remote_node_get_memory_stats entry. */
export function readNodeMemoryStat(r: XdrReader): NodeMemoryStat {
  return { field: readString(r), value: r.uhyper() };
}
