import type { PowerState } from "@nova/virt";
import {
  CreateFlags,
  DestroyFlags,
  DomainXmlFlags,
  ShutdownFlags,
  UndefineFlags,
} from "../libvirt-constants.js";
import type { DomainInfo, DomainRef } from "../rpc/remote-types.js";
import type { LibvirtApi } from "./libvirt-api.js";
import { powerStateOf } from "./power-state-mapping.js";

/** One libvirt domain, as Nova's `Guest` wraps virDomain: the verbs the driver composes. */
export class Guest {
  #ref: DomainRef;
  readonly #api: LibvirtApi;

  /** Wraps the domain `ref` on `api`. */
  constructor(api: LibvirtApi, ref: DomainRef) {
    this.#api = api;
    this.#ref = ref;
  }

  /** The domain's uuid. */
  get uuid(): string {
    return this.#ref.uuid;
  }

  /** The domain's name. */
  get name(): string {
    return this.#ref.name;
  }

  /** The running domain's id, -1 when not running (a changed id means the guest restarted). */
  get id(): number {
    return this.#ref.id;
  }

  /** Starts the domain (restoring a managed save when there is one). */
  async launch(paused = false): Promise<void> {
    this.#ref = await this.#api.domainCreate(this.#ref, paused ? CreateFlags.START_PAUSED : 0);
  }

  /** Asks the guest OS to shut down (ACPI power button). */
  shutdown(): Promise<void> {
    return this.#api.domainShutdown(this.#ref, ShutdownFlags.DEFAULT);
  }

  /** Pulls the plug. */
  async poweroff(): Promise<void> {
    await this.#api.domainDestroy(this.#ref, DestroyFlags.DEFAULT);
    this.#ref = { ...this.#ref, id: -1 };
  }

  /** Pauses the guest's vcpus. */
  pause(): Promise<void> {
    return this.#api.domainSuspend(this.#ref);
  }

  /** Resumes a paused guest. */
  resume(): Promise<void> {
    return this.#api.domainResume(this.#ref);
  }

  /** Saves memory to libvirt's managed save image and stops the domain. */
  async save(): Promise<void> {
    await this.#api.domainManagedSave(this.#ref, 0);
    this.#ref = { ...this.#ref, id: -1 };
  }

  /** Removes the definition, with its managed save image and NVRAM. */
  deleteConfiguration(): Promise<void> {
    return this.#api.domainUndefine(this.#ref, UndefineFlags.MANAGED_SAVE | UndefineFlags.NVRAM);
  }

  /** The domain's persistent definition (what starts next time), as XML. */
  getPersistentXml(): Promise<string> {
    return this.#api.domainGetXmlDesc(this.#ref, DomainXmlFlags.INACTIVE);
  }

  /** The domain's state, memory, vcpus and CPU time. */
  getInfo(): Promise<DomainInfo> {
    return this.#api.domainGetInfo(this.#ref);
  }

  /** Nova's power state for the domain's current state. */
  async getPowerState(): Promise<PowerState> {
    const { state, reason } = await this.#api.domainGetState(this.#ref);
    return powerStateOf(state, reason);
  }
}
