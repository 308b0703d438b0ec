import { ConnectFlags, DomainEventId, NODE_MEMORY_STATS_ALL_CELLS } from "./libvirt-constants.js";
import { LibvirtError } from "./rpc/libvirt-error.js";
import { MessageStatus } from "./rpc/message-header.js";
import { RemoteProcedure as P, RemoteAuthType } from "./rpc/remote-procedure.js";
import {
  type DomainInfo,
  type DomainLifecycleMessage,
  type DomainRef,
  type NodeInfo,
  type NodeMemoryStat,
  readDomain,
  readDomainInfo,
  readLifecycleMessage,
  readNodeInfo,
  readNodeMemoryStat,
  readString,
  uuidToBytes,
  writeDomain,
  writeOptString,
  writeString,
} from "./rpc/remote-types.js";
import { RpcConnection } from "./rpc/rpc-connection.js";
import { VirErrorNumber } from "./rpc/vir-error-codes.js";
import type { XdrWriter } from "./rpc/xdr-writer.js";

/** libvirtd's read-write socket on Debian. */
export const DEFAULT_LIBVIRT_SOCKET = "/var/run/libvirt/libvirt-sock";

/** How to reach libvirtd and which driver to open. */
export interface LibvirtClientOptions {
  /** The driver URI to open in the daemon: "qemu:///system", "test:///default", ... */
  readonly uri: string;
  /** The daemon's unix socket (default /var/run/libvirt/libvirt-sock). */
  readonly socketPath?: string;
  /** Open read-only (the daemon still needs the read-write socket unless socketPath is the -ro one). */
  readonly readOnly?: boolean;
  /**
   * Ask the daemon for keepalive pings every `intervalSeconds` and fail the connection when `count` in a row
   * go missing (libvirt's client defaults: 5 s, 5). False turns it off.
   */
  readonly keepalive?: { readonly intervalSeconds: number; readonly count: number } | false;
}

/** VIR_DRV_FEATURE_PROGRAM_KEEPALIVE: asking for it makes the daemon start pinging this client. */
const FEATURE_PROGRAM_KEEPALIVE = 10;

/** A console stream opened on a domain's serial console. */
export interface ConsoleStream {
  /** Stops reading: tells the daemon to abort the stream. */
  close(): void;
  /** Resolves when the stream ends (by either side). */
  readonly done: Promise<void>;
}

const dom = (d: DomainRef) => (w: XdrWriter) => writeDomain(w, d);
const domFlags = (d: DomainRef, flags: number) => (w: XdrWriter) => {
  writeDomain(w, d);
  w.uint(flags);
};

/**
 * libvirt's remote protocol over one connection to libvirtd: the procedures Nova's driver needs, each a typed
 * async method. Calls may be issued concurrently; they are multiplexed on the socket. Errors are LibvirtError
 * with libvirt's own error numbers.
 */
export class LibvirtClient {
  readonly #rpc: RpcConnection;
  /** The connection URI opened (`qemu:///system`, `test:///default`). */
  readonly uri: string;
  #eventsRegistered = false;

  private constructor(rpc: RpcConnection, uri: string) {
    this.#rpc = rpc;
    this.uri = uri;
  }

  /**
   * Connects to libvirtd and opens `uri`. As libvirt's own client does, asks which authentication the socket
   * wants (AUTH_LIST) before CONNECT_OPEN; "none" and polkit (granted to root) are supported.
   */
  static async connect(options: LibvirtClientOptions): Promise<LibvirtClient> {
    const rpc = await RpcConnection.connect(options.socketPath ?? DEFAULT_LIBVIRT_SOCKET);
    try {
      const auth = await rpc.call(P.AUTH_LIST, undefined, (r) => r.array((x) => x.int(), 20));
      if (auth.length > 0 && !auth.includes(RemoteAuthType.NONE)) {
        if (!auth.includes(RemoteAuthType.POLKIT)) {
          throw new LibvirtError({
            virCode: VirErrorNumber.AUTH_UNAVAILABLE,
            virDomain: 0,
            level: 2,
            message: `libvirtd asks for authentication this client does not speak (types ${auth.join(", ")})`,
          });
        }
        await rpc.call(P.AUTH_POLKIT, undefined, (r) => r.int());
      }
      await rpc.call(P.CONNECT_OPEN, (w) => {
        writeOptString(w, options.uri);
        w.uint(options.readOnly ? ConnectFlags.READ_ONLY : 0);
      });
      const keepalive = options.keepalive ?? { intervalSeconds: 5, count: 5 };
      if (keepalive) {
        const supported = await rpc.call(
          P.CONNECT_SUPPORTS_FEATURE,
          (w) => w.int(FEATURE_PROGRAM_KEEPALIVE),
          (r) => r.int(),
        );
        if (supported) rpc.watchKeepalive(keepalive.intervalSeconds * 1000, keepalive.count);
      }
      return new LibvirtClient(rpc, options.uri);
    } catch (error) {
      await rpc.close();
      throw error;
    }
  }

  /** Calls now waiting for their reply. */
  get inFlight(): number {
    return this.#rpc.inFlight;
  }

  /** True once the connection is closed. */
  get closed(): boolean {
    return this.#rpc.closed;
  }

  /** Calls `handler` once if the connection drops (or is closed). */
  onClose(handler: (error: LibvirtError) => void): () => void {
    return this.#rpc.onClose(handler);
  }

  /** Closes the driver connection (CONNECT_CLOSE) and the socket. */
  async close(): Promise<void> {
    if (this.#rpc.closed) return;
    try {
      await this.#rpc.call(P.CONNECT_CLOSE);
    } catch {
      // Closing anyway.
    }
    await this.#rpc.close();
  }

  // --- host ------------------------------------------------------------------------------------------------

  /** The hypervisor type: "QEMU", "Test", ... */
  getType(): Promise<string> {
    return this.#rpc.call(P.CONNECT_GET_TYPE, undefined, readString);
  }

  /** The hypervisor's version as libvirt encodes it (major * 1000000 + minor * 1000 + micro). */
  getVersion(): Promise<number> {
    return this.#rpc.call(P.CONNECT_GET_VERSION, undefined, (r) => r.uhyper());
  }

  /** libvirt's own version, encoded like getVersion. */
  getLibVersion(): Promise<number> {
    return this.#rpc.call(P.CONNECT_GET_LIB_VERSION, undefined, (r) => r.uhyper());
  }

  /** The host's name as libvirt sees it (virConnectGetHostname). */
  getHostname(): Promise<string> {
    return this.#rpc.call(P.CONNECT_GET_HOSTNAME, undefined, readString);
  }

  /** The canonical URI of the open driver. */
  getUri(): Promise<string> {
    return this.#rpc.call(P.CONNECT_GET_URI, undefined, readString);
  }

  /** The host capabilities XML. */
  getCapabilities(): Promise<string> {
    return this.#rpc.call(P.CONNECT_GET_CAPABILITIES, undefined, readString);
  }

  /** The host's CPUs and memory (virNodeGetInfo). */
  nodeGetInfo(): Promise<NodeInfo> {
    return this.#rpc.call(P.NODE_GET_INFO, undefined, readNodeInfo);
  }

  /** Free memory in bytes. */
  nodeGetFreeMemory(): Promise<number> {
    return this.#rpc.call(P.NODE_GET_FREE_MEMORY, undefined, (r) => r.uhyper());
  }

  /** Memory figures in KiB ("total", "free", "buffers", "cached"), all from one read of the host. */
  async nodeGetMemoryStats(cell = NODE_MEMORY_STATS_ALL_CELLS): Promise<Record<string, number>> {
    // First ask how many fields there are, then fetch them: the protocol's two-step pattern.
    const count = await this.#rpc.call(
      P.NODE_GET_MEMORY_STATS,
      (w) => w.int(0).int(cell).uint(0),
      (r) => {
        r.array(readNodeMemoryStat, 16);
        return r.int();
      },
    );
    const stats = await this.#rpc.call(
      P.NODE_GET_MEMORY_STATS,
      (w) => w.int(count).int(cell).uint(0),
      (r) => r.array(readNodeMemoryStat, 16),
    );
    return Object.fromEntries(stats.map((s: NodeMemoryStat) => [s.field, s.value]));
  }

  // --- domains ---------------------------------------------------------------------------------------------

  /** Every domain matching `flags` (ListDomainsFlags; 0 for all). */
  listAllDomains(flags = 0): Promise<DomainRef[]> {
    return this.#rpc.call(
      P.CONNECT_LIST_ALL_DOMAINS,
      (w) => w.int(1).uint(flags),
      (r) => {
        const domains = r.array(readDomain, 65536);
        r.uint();
        return domains;
      },
    );
  }

  /** The domain of that name; LibvirtError VIR_ERR_NO_DOMAIN when none. */
  domainLookupByName(name: string): Promise<DomainRef> {
    return this.#rpc.call(P.DOMAIN_LOOKUP_BY_NAME, (w) => writeString(w, name), readDomain);
  }

  /** The domain of that uuid; LibvirtError VIR_ERR_NO_DOMAIN when none. */
  domainLookupByUuid(uuid: string): Promise<DomainRef> {
    return this.#rpc.call(P.DOMAIN_LOOKUP_BY_UUID, (w) => w.fixedOpaque(uuidToBytes(uuid), 16), readDomain);
  }

  /** The running domain of that id; LibvirtError VIR_ERR_NO_DOMAIN when none. */
  domainLookupById(id: number): Promise<DomainRef> {
    return this.#rpc.call(P.DOMAIN_LOOKUP_BY_ID, (w) => w.int(id), readDomain);
  }

  /** Defines (or redefines) a persistent domain from XML. */
  domainDefineXml(xml: string): Promise<DomainRef> {
    return this.#rpc.call(P.DOMAIN_DEFINE_XML, (w) => writeString(w, xml), readDomain);
  }

  /** Creates and starts a transient domain from XML. */
  domainCreateXml(xml: string, flags = 0): Promise<DomainRef> {
    return this.#rpc.call(
      P.DOMAIN_CREATE_XML,
      (w) => {
        writeString(w, xml);
        w.uint(flags);
      },
      readDomain,
    );
  }

  /** Starts a defined domain (CreateFlags); returns the handle with its new id. */
  domainCreate(d: DomainRef, flags = 0): Promise<DomainRef> {
    return this.#rpc.call(P.DOMAIN_CREATE_WITH_FLAGS, domFlags(d, flags), readDomain);
  }

  /** Stops a domain at once (DestroyFlags). */
  domainDestroy(d: DomainRef, flags = 0): Promise<void> {
    return this.#rpc.call(P.DOMAIN_DESTROY_FLAGS, domFlags(d, flags));
  }

  /** Asks the guest to shut down (ShutdownFlags); returns once asked, not once off. */
  domainShutdown(d: DomainRef, flags = 0): Promise<void> {
    return this.#rpc.call(P.DOMAIN_SHUTDOWN_FLAGS, domFlags(d, flags));
  }

  /** Asks the guest to reboot (RebootFlags). */
  domainReboot(d: DomainRef, flags = 0): Promise<void> {
    return this.#rpc.call(P.DOMAIN_REBOOT, domFlags(d, flags));
  }

  /** Resets the guest like a reset button. */
  domainReset(d: DomainRef): Promise<void> {
    return this.#rpc.call(P.DOMAIN_RESET, domFlags(d, 0));
  }

  /** Pauses the guest's vcpus (virDomainSuspend). */
  domainSuspend(d: DomainRef): Promise<void> {
    return this.#rpc.call(P.DOMAIN_SUSPEND, dom(d));
  }

  /** Continues paused vcpus (virDomainResume). */
  domainResume(d: DomainRef): Promise<void> {
    return this.#rpc.call(P.DOMAIN_RESUME, dom(d));
  }

  /** Saves the guest's memory to libvirt's managed save file and stops it. */
  domainManagedSave(d: DomainRef, flags = 0): Promise<void> {
    return this.#rpc.call(P.DOMAIN_MANAGED_SAVE, domFlags(d, flags));
  }

  /** Whether the domain has a managed save image (a suspended guest). */
  domainHasManagedSaveImage(d: DomainRef): Promise<boolean> {
    return this.#rpc.call(P.DOMAIN_HAS_MANAGED_SAVE_IMAGE, domFlags(d, 0), (r) => r.int() !== 0);
  }

  /** Removes the domain's managed save image. */
  domainManagedSaveRemove(d: DomainRef): Promise<void> {
    return this.#rpc.call(P.DOMAIN_MANAGED_SAVE_REMOVE, domFlags(d, 0));
  }

  /** Removes a domain's persistent definition (UndefineFlags). */
  domainUndefine(d: DomainRef, flags = 0): Promise<void> {
    return this.#rpc.call(P.DOMAIN_UNDEFINE_FLAGS, domFlags(d, flags));
  }

  /** The domain's state, memory, vcpus and CPU time (virDomainGetInfo). */
  domainGetInfo(d: DomainRef): Promise<DomainInfo> {
    return this.#rpc.call(P.DOMAIN_GET_INFO, dom(d), readDomainInfo);
  }

  /** The domain's state (DomainState) and the reason for it. */
  domainGetState(d: DomainRef): Promise<{ state: number; reason: number }> {
    return this.#rpc.call(P.DOMAIN_GET_STATE, domFlags(d, 0), (r) => ({ state: r.int(), reason: r.int() }));
  }

  /** The domain's XML (DomainXmlFlags). */
  domainGetXmlDesc(d: DomainRef, flags = 0): Promise<string> {
    return this.#rpc.call(P.DOMAIN_GET_XML_DESC, domFlags(d, flags), readString);
  }

  /** Whether the domain is running (or paused). */
  domainIsActive(d: DomainRef): Promise<boolean> {
    return this.#rpc.call(P.DOMAIN_IS_ACTIVE, dom(d), (r) => r.int() !== 0);
  }

  // --- events and streams ----------------------------------------------------------------------------------

  /**
   * Receives lifecycle events of every domain on this connection. The first subscription registers with the
   * daemon; returns the unsubscribe.
   */
  async onLifecycleEvent(handler: (message: DomainLifecycleMessage) => void): Promise<() => void> {
    const off = this.#rpc.onMessage(P.DOMAIN_EVENT_LIFECYCLE, (r) => handler(readLifecycleMessage(r)));
    if (!this.#eventsRegistered) {
      this.#eventsRegistered = true;
      try {
        await this.#rpc.call(P.DOMAIN_EVENTS_REGISTER_ANY, (w) => w.int(DomainEventId.LIFECYCLE));
      } catch (error) {
        this.#eventsRegistered = false;
        off();
        throw error;
      }
    }
    return off;
  }

  /**
   * Opens the domain's console (serial0 unless `device` is given) as a stream; `onData` gets what the guest
   * prints. Only one client may hold a console: FORCE takes it over.
   */
  async openConsole(
    d: DomainRef,
    onData: (data: Buffer) => void,
    options: { device?: string; force?: boolean } = {},
  ): Promise<ConsoleStream> {
    let serial = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await this.#rpc.call(
      P.DOMAIN_OPEN_CONSOLE,
      (w) => {
        writeDomain(w, d);
        writeOptString(w, options.device ?? null);
        w.uint(options.force ? 1 : 0);
      },
      undefined,
      {
        onSerial: (s) => {
          serial = s;
        },
        onStream: (packet) => {
          if (packet.status !== MessageStatus.CONTINUE) {
            finish();
          } else if (packet.data.length === 0) {
            // An empty packet is the end of the stream (the guest's console closed): confirm it, as
            // virStreamFinish does, and the daemon answers with the stream's final OK.
            this.#rpc.sendStream(P.DOMAIN_OPEN_CONSOLE, serial, MessageStatus.OK);
            finish();
          } else {
            onData(packet.data);
          }
        },
      },
    );
    return {
      close: () => {
        this.#rpc.sendStream(P.DOMAIN_OPEN_CONSOLE, serial, MessageStatus.ERROR);
        this.#rpc.dropStream(serial);
        finish();
      },
      done,
    };
  }
}
