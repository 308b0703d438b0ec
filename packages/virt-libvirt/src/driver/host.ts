import { HypervisorUnavailableError, InstanceNotFoundError, type InstanceRef } from "@nova/virt";
import { LibvirtError } from "../rpc/libvirt-error.js";
import type { DomainLifecycleMessage } from "../rpc/remote-types.js";
import { VirErrorNumber } from "../rpc/vir-error-codes.js";
import { type HostCapabilities, parseHostCapabilities } from "../xml/host-capabilities.js";
import { Guest } from "./guest.js";
import type { LibvirtApi } from "./libvirt-api.js";

/**
 * The hypervisor host as Nova's `Host` sees it: one libvirt connection, opened on first use and reopened after
 * it drops (with the event subscription renewed), guests looked up by instance uuid, capabilities read once.
 */
export class Host {
  readonly #connect: () => Promise<LibvirtApi>;
  readonly #onEvent: ((message: DomainLifecycleMessage) => void) | undefined;
  #api: LibvirtApi | undefined;
  #connecting: Promise<LibvirtApi> | undefined;
  #capabilities: HostCapabilities | undefined;
  #closed = false;

  /** `connect` opens a connection (again after a drop); `onEvent` hears every lifecycle event. */
  constructor(options: {
    connect: () => Promise<LibvirtApi>;
    onEvent?: (message: DomainLifecycleMessage) => void;
  }) {
    this.#connect = options.connect;
    this.#onEvent = options.onEvent;
  }

  /** The open connection, (re)connecting when needed; HypervisorUnavailableError when libvirtd cannot be reached. */
  async connection(): Promise<LibvirtApi> {
    if (this.#closed) throw new HypervisorUnavailableError("the libvirt driver is closed");
    if (this.#api && !this.#api.closed) return this.#api;
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<LibvirtApi> {
    let api: LibvirtApi;
    try {
      api = await this.#connect();
    } catch (error) {
      throw new HypervisorUnavailableError(`cannot connect to libvirt: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (this.#onEvent) await api.onLifecycleEvent(this.#onEvent);
    this.#api = api;
    return api;
  }

  /** Runs `fn` on the connection, turning a broken connection into HypervisorUnavailableError. */
  async call<T>(fn: (api: LibvirtApi) => Promise<T>): Promise<T> {
    const api = await this.connection();
    try {
      return await fn(api);
    } catch (error) {
      if (LibvirtError.isInstance(error) && error.isRetryable) {
        throw new HypervisorUnavailableError(error.message, { cause: error });
      }
      throw error;
    }
  }

  /** The parsed host capabilities (read once per Host). */
  async getCapabilities(): Promise<HostCapabilities> {
    this.#capabilities ??= parseHostCapabilities(await this.call((api) => api.getCapabilities()));
    return this.#capabilities;
  }

  /** The guest of an instance; InstanceNotFoundError when libvirt has no such domain. */
  async getGuest(instance: InstanceRef): Promise<Guest> {
    const guest = await this.findGuest(instance.uuid);
    if (!guest) throw new InstanceNotFoundError(instance.uuid);
    return guest;
  }

  /** The guest with this uuid, or undefined. */
  async findGuest(uuid: string): Promise<Guest | undefined> {
    return this.call(async (api) => {
      try {
        return new Guest(api, await api.domainLookupByUuid(uuid));
      } catch (error) {
        if (LibvirtError.hasVirCode(error, VirErrorNumber.NO_DOMAIN)) return undefined;
        throw error;
      }
    });
  }

  /** Every guest (running or not). */
  async listGuests(): Promise<Guest[]> {
    return this.call(async (api) => (await api.listAllDomains(0)).map((d) => new Guest(api, d)));
  }

  /** Defines (persists) a guest from domain XML. */
  async defineGuest(xml: string): Promise<Guest> {
    return this.call(async (api) => new Guest(api, await api.domainDefineXml(xml)));
  }

  /** Closes the connection; the Host cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    const api = this.#api;
    this.#api = undefined;
    await api?.close();
  }
}
