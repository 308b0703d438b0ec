import type { LibvirtApi } from "../driver/libvirt-api.js";
import { DomainEventType, DomainState, ListDomainsFlags } from "../libvirt-constants.js";
import { LibvirtError } from "../rpc/libvirt-error.js";
import type { DomainInfo, DomainLifecycleMessage, DomainRef, NodeInfo } from "../rpc/remote-types.js";
import { VirErrorDomain, VirErrorNumber } from "../rpc/vir-error-codes.js";

/** How a scripted guest answers an ACPI shutdown request. */
export type ShutdownBehaviour = { readonly offAfterPolls: number } | "ignore";

interface ScriptedDomain {
  ref: DomainRef;
  xml: string;
  state: number;
  reason: number;
  persistent: boolean;
  managedSave: boolean;
  vcpus: number;
  memoryKb: number;
  shutdown: ShutdownBehaviour;
  pendingShutdownPolls: number | undefined;
}

/** A small host's capabilities: x86_64 guests under qemu and kvm. */
export const SCRIPTED_CAPABILITIES = `<capabilities>
  <host>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
    <cpu><arch>x86_64</arch><model>Skylake-Client</model><vendor>Intel</vendor>
      <topology sockets='1' dies='1' cores='4' threads='2'/><feature name='vmx'/><feature name='avx2'/></cpu>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'><wordsize>64</wordsize><emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine><domain type='qemu'/><domain type='kvm'/></arch>
  </guest>
</capabilities>`;

const tag = (xml: string, name: string) => new RegExp(`<${name}[^>]*>([^<]*)</${name}>`).exec(xml)?.[1];

/**
 * A libvirt connection played in memory, for testing driver logic: domains move between states as the QEMU
 * driver moves them (and fail with the same error numbers), lifecycle events are sent, every call is recorded,
 * and tests can script failures, guests that ignore shutdown requests, and a dropped connection.
 */
export class ScriptedLibvirt implements LibvirtApi {
  /** Every call, in order: the method name and its first argument's domain name (if any). */
  readonly calls: string[] = [];
  /** The guests, by name. */
  readonly domains = new Map<string, ScriptedDomain>();
  /** What getHostname answers. */
  hostname = "scripted-host";
  /** What getCapabilities answers (capabilities XML). */
  capabilities = SCRIPTED_CAPABILITIES;
  /** What nodeGetInfo answers. */
  nodeInfo: NodeInfo = {
    model: "x86_64",
    memoryKb: 8_000_000,
    cpus: 8,
    mhz: 2400,
    nodes: 1,
    sockets: 1,
    cores: 4,
    threads: 2,
  };
  /** What nodeGetMemoryStats answers, in KiB. */
  memoryStats: Record<string, number> = {
    total: 16_777_216,
    free: 8_388_608,
    buffers: 1_048_576,
    cached: 2_097_152,
  };
  /** How newly defined guests answer shutdown requests (default: off at the first look). */
  defaultShutdown: ShutdownBehaviour = { offAfterPolls: 0 };
  #closed = false;
  #nextId = 1;
  #failures: Array<{ method: string; error: Error; remaining: number }> = [];
  #eventHandlers = new Set<(m: DomainLifecycleMessage) => void>();
  #closeHandlers = new Set<(e: LibvirtError) => void>();

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Makes the next `times` calls of `method` fail with `error`. */
  failNext(method: keyof LibvirtApi, error: Error, times = 1): void {
    this.#failures.push({ method, error, remaining: times });
  }

  /** Sets how one guest answers shutdown requests. */
  setShutdownBehaviour(uuid: string, behaviour: ShutdownBehaviour): void {
    this.#domain(uuid).shutdown = behaviour;
  }

  /** Simulates libvirtd going away: calls fail, close handlers run. */
  drop(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = LibvirtError.transport("connection to libvirtd closed");
    for (const h of this.#closeHandlers) h(error);
  }

  /** The guest stops by itself (powered off from inside, or crashed). */
  guestStops(uuid: string, crashed = false): void {
    const d = this.#domain(uuid);
    this.#stop(d, crashed ? 3 : 1, crashed ? 2 : 0);
  }

  /** An error as the QEMU driver raises it. */
  static error(virCode: number, message: string): LibvirtError {
    return new LibvirtError({ virCode, virDomain: VirErrorDomain.QEMU, message, level: 2 });
  }

  // --- LibvirtApi -------------------------------------------------------------------------------------------

  /** {@inheritDoc LibvirtClient.close} */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#record("close");
    this.#closed = true;
  }

  /** {@inheritDoc LibvirtClient.onClose} */
  onClose(handler: (error: LibvirtError) => void): () => void {
    this.#closeHandlers.add(handler);
    return () => this.#closeHandlers.delete(handler);
  }

  /** {@inheritDoc LibvirtClient.getType} */
  async getType(): Promise<string> {
    this.#record("getType");
    return "QEMU";
  }

  /** {@inheritDoc LibvirtClient.getVersion} */
  async getVersion(): Promise<number> {
    this.#record("getVersion");
    return 7_002_000;
  }

  /** {@inheritDoc LibvirtClient.getHostname} */
  async getHostname(): Promise<string> {
    this.#record("getHostname");
    return this.hostname;
  }

  /** {@inheritDoc LibvirtClient.getCapabilities} */
  async getCapabilities(): Promise<string> {
    this.#record("getCapabilities");
    return this.capabilities;
  }

  /** {@inheritDoc LibvirtClient.nodeGetInfo} */
  async nodeGetInfo(): Promise<NodeInfo> {
    this.#record("nodeGetInfo");
    return this.nodeInfo;
  }

  /** {@inheritDoc LibvirtClient.nodeGetMemoryStats} */
  async nodeGetMemoryStats(): Promise<Record<string, number>> {
    this.#record("nodeGetMemoryStats");
    return { ...this.memoryStats };
  }

  /** {@inheritDoc LibvirtClient.listAllDomains} */
  async listAllDomains(flags = 0): Promise<DomainRef[]> {
    this.#record("listAllDomains");
    return [...this.domains.values()]
      .filter((d) => {
        const active = d.state !== DomainState.SHUTOFF;
        if (flags & ListDomainsFlags.ACTIVE && !active) return false;
        if (flags & ListDomainsFlags.INACTIVE && active) return false;
        return true;
      })
      .map((d) => d.ref);
  }

  /** {@inheritDoc LibvirtClient.domainLookupByUuid} */
  async domainLookupByUuid(uuid: string): Promise<DomainRef> {
    this.#record("domainLookupByUuid");
    return this.#domain(uuid).ref;
  }

  /** {@inheritDoc LibvirtClient.domainGetXmlDesc} */
  async domainGetXmlDesc(d: DomainRef, _flags = 0): Promise<string> {
    this.#record("domainGetXmlDesc", d);
    return this.#domain(d.uuid).xml;
  }

  /** {@inheritDoc LibvirtClient.domainDefineXml} */
  async domainDefineXml(xml: string): Promise<DomainRef> {
    this.#record("domainDefineXml");
    const name = tag(xml, "name");
    const uuid = tag(xml, "uuid") ?? crypto.randomUUID();
    if (!name) throw ScriptedLibvirt.error(VirErrorNumber.XML_ERROR, "missing name");
    for (const d of this.domains.values()) {
      if (d.ref.name === name && d.ref.uuid !== uuid) {
        throw ScriptedLibvirt.error(
          VirErrorNumber.OPERATION_FAILED,
          `domain '${name}' already exists with uuid ${d.ref.uuid}`,
        );
      }
    }
    const existing = this.domains.get(uuid);
    if (existing) {
      existing.xml = xml;
      existing.persistent = true;
      return existing.ref;
    }
    const d: ScriptedDomain = {
      ref: { name, uuid, id: -1 },
      xml,
      state: DomainState.SHUTOFF,
      reason: 0,
      persistent: true,
      managedSave: false,
      vcpus: Number(tag(xml, "vcpu") ?? 1),
      memoryKb: Number(tag(xml, "memory") ?? 0),
      shutdown: this.defaultShutdown,
      pendingShutdownPolls: undefined,
    };
    this.domains.set(uuid, d);
    this.#emit(d, DomainEventType.DEFINED, 0);
    return d.ref;
  }

  /** {@inheritDoc LibvirtClient.domainCreate} */
  async domainCreate(ref: DomainRef): Promise<DomainRef> {
    this.#record("domainCreate", ref);
    const d = this.#domain(ref.uuid);
    if (d.state !== DomainState.SHUTOFF)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is already running");
    const restored = d.managedSave;
    d.managedSave = false;
    d.state = DomainState.RUNNING;
    d.reason = restored ? 3 : 1;
    d.ref = { ...d.ref, id: this.#nextId++ };
    d.pendingShutdownPolls = undefined;
    this.#emit(d, DomainEventType.STARTED, restored ? 2 : 0);
    return d.ref;
  }

  /** {@inheritDoc LibvirtClient.domainDestroy} */
  async domainDestroy(ref: DomainRef): Promise<void> {
    this.#record("domainDestroy", ref);
    const d = this.#domain(ref.uuid);
    if (d.state === DomainState.SHUTOFF)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not running");
    this.#stop(d, 2, 1);
  }

  /** {@inheritDoc LibvirtClient.domainShutdown} */
  async domainShutdown(ref: DomainRef): Promise<void> {
    this.#record("domainShutdown", ref);
    const d = this.#domain(ref.uuid);
    if (d.state === DomainState.SHUTOFF)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not running");
    if (d.shutdown !== "ignore") d.pendingShutdownPolls ??= d.shutdown.offAfterPolls;
  }

  /** {@inheritDoc LibvirtClient.domainSuspend} */
  async domainSuspend(ref: DomainRef): Promise<void> {
    this.#record("domainSuspend", ref);
    const d = this.#domain(ref.uuid);
    if (d.state !== DomainState.RUNNING)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not running");
    d.state = DomainState.PAUSED;
    d.reason = 1;
    this.#emit(d, DomainEventType.SUSPENDED, 0);
  }

  /** {@inheritDoc LibvirtClient.domainResume} */
  async domainResume(ref: DomainRef): Promise<void> {
    this.#record("domainResume", ref);
    const d = this.#domain(ref.uuid);
    if (d.state !== DomainState.PAUSED)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not paused");
    d.state = DomainState.RUNNING;
    d.reason = 5;
    this.#emit(d, DomainEventType.RESUMED, 0);
  }

  /** {@inheritDoc LibvirtClient.domainManagedSave} */
  async domainManagedSave(ref: DomainRef): Promise<void> {
    this.#record("domainManagedSave", ref);
    const d = this.#domain(ref.uuid);
    if (d.state === DomainState.SHUTOFF)
      throw ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not running");
    d.managedSave = true;
    this.#stop(d, 5, 4);
  }

  /** {@inheritDoc LibvirtClient.domainUndefine} */
  async domainUndefine(ref: DomainRef): Promise<void> {
    this.#record("domainUndefine", ref);
    const d = this.#domain(ref.uuid);
    if (d.state === DomainState.SHUTOFF) {
      this.domains.delete(ref.uuid);
      this.#emit(d, DomainEventType.UNDEFINED, 0);
    } else {
      d.persistent = false;
    }
  }

  /** {@inheritDoc LibvirtClient.domainGetInfo} */
  async domainGetInfo(ref: DomainRef): Promise<DomainInfo> {
    this.#record("domainGetInfo", ref);
    const d = this.#domain(ref.uuid);
    const active = d.state !== DomainState.SHUTOFF;
    return {
      state: d.state,
      maxMemoryKb: d.memoryKb,
      memoryKb: active ? d.memoryKb : 0,
      vcpus: d.vcpus,
      cpuTimeNs: 0,
    };
  }

  /** {@inheritDoc LibvirtClient.domainGetState} */
  async domainGetState(ref: DomainRef): Promise<{ state: number; reason: number }> {
    this.#record("domainGetState", ref);
    const d = this.#domain(ref.uuid);
    // A guest asked to shut down goes off after the scripted number of looks.
    if (d.pendingShutdownPolls !== undefined) {
      if (d.pendingShutdownPolls <= 0) this.#stop(d, 1, 0);
      else d.pendingShutdownPolls -= 1;
    }
    return { state: d.state, reason: d.reason };
  }

  /** {@inheritDoc LibvirtClient.onLifecycleEvent} */
  async onLifecycleEvent(handler: (message: DomainLifecycleMessage) => void): Promise<() => void> {
    this.#record("onLifecycleEvent");
    this.#eventHandlers.add(handler);
    return () => this.#eventHandlers.delete(handler);
  }

  // --- internals --------------------------------------------------------------------------------------------

  #record(method: string, ref?: DomainRef): void {
    if (this.#closed) throw LibvirtError.transport("connection to libvirtd closed");
    this.calls.push(ref ? `${method} ${ref.name}` : method);
    const failure = this.#failures.find((f) => f.method === method);
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.#failures.splice(this.#failures.indexOf(failure), 1);
      throw failure.error;
    }
  }

  #domain(uuid: string): ScriptedDomain {
    const d = this.domains.get(uuid);
    if (!d)
      throw ScriptedLibvirt.error(
        VirErrorNumber.NO_DOMAIN,
        `Domain not found: no domain with matching uuid '${uuid}'`,
      );
    return d;
  }

  #stop(d: ScriptedDomain, reason: number, detail: number): void {
    d.state = DomainState.SHUTOFF;
    d.reason = reason;
    d.ref = { ...d.ref, id: -1 };
    d.pendingShutdownPolls = undefined;
    this.#emit(d, DomainEventType.STOPPED, detail);
    if (!d.persistent) this.domains.delete(d.ref.uuid);
  }

  #emit(d: ScriptedDomain, event: number, detail: number): void {
    for (const h of this.#eventHandlers) h({ domain: d.ref, event, detail });
  }
}
