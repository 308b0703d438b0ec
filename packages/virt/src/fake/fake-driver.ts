import { type Clock, systemClock } from "@nova/core";
import { resourcesFromFlavor } from "@nova/objects";
import type {
  ComputeDriver,
  DestroyOptions,
  PowerOffOptions,
  RebootType,
  RescueRequest,
  SnapshotRequest,
  SnapshotResult,
  SpawnRequest,
} from "../compute-driver.js";
import { ComputeResourcesUnavailableError } from "../errors/compute-resources-unavailable.js";
import { HypervisorUnavailableError } from "../errors/hypervisor-unavailable.js";
import { InstanceExistsError } from "../errors/instance-exists.js";
import { InstanceInvalidStateError } from "../errors/instance-invalid-state.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InstancePowerOffFailureError } from "../errors/instance-power-off-failure.js";
import { InstanceRebootFailureError } from "../errors/instance-reboot-failure.js";
import { LiveMigrationAbortedError } from "../errors/live-migration-aborted.js";
import { SpawnFailedError } from "../errors/spawn-failed.js";
import type { LifecycleListener, LifecycleTransition } from "../lifecycle-event.js";
import { LifecycleListeners } from "../lifecycle-listeners.js";
import type { FinishMigrationRequest } from "../migration-requests.js";
import { type AvailableResource, versionToInt } from "../model/available-resource.js";
import type { DriverFlavor } from "../model/flavor.js";
import type { DriverInstance, InstanceRef } from "../model/instance.js";
import type { InstanceInfo } from "../model/instance-info.js";
import { PowerState } from "../power-state.js";
import type { FakeDriverOperation, InjectedFailure } from "./injected-failure.js";

/** Nova caps console output at 100 KiB. */
export const MAX_CONSOLE_BYTES = 100 * 1024;

/** How the fake host looks and behaves. */
export interface FakeDriverOptions {
  /** The node name reported as hypervisor_hostname (default: the host passed to initHost, else "fake-mini"). */
  readonly nodename?: string;
  /** Capacity (defaults as Nova's fake driver: 1000 vcpus, 800000 MiB, 600000 GiB). */
  readonly vcpus?: number;
  /** See {@link FakeDriverOptions.vcpus}. */
  readonly memoryMb?: number;
  /** See {@link FakeDriverOptions.vcpus}. */
  readonly localGb?: number;
  /** How long a spawn takes, on `clock` (default 0). */
  readonly spawnDelayMs?: number | ((instance: DriverInstance) => number);
  /** How long each other operation takes, on `clock` (default 0): `[fake] operation_delays`. */
  readonly operationDelaysMs?: Readonly<Partial<Record<FakeDriverOperation, number>>>;
  /** The clock spawn delays run on (default the wall clock). */
  readonly clock?: Clock;
  /**
   * Refuse a spawn that does not fit the remaining capacity (ComputeResourcesUnavailableError). Off by default,
   * as in Nova: placement decides, and allocation ratios let usage exceed the physical figures.
   */
  readonly enforceCapacity?: boolean;
  /** The line a guest prints on its console when it is up (default "<hostname or name> login:"). */
  readonly readyLine?: (instance: InstanceRef & { hostname?: string | undefined }) => string;
}

interface FakeGuest {
  readonly ref: InstanceRef;
  readonly flavor: DriverFlavor;
  readonly hostname: string | undefined;
  state: PowerState;
  console: string;
  /** Booted from a rescue image (the guest's own disk attached). */
  rescued?: boolean;
}

interface ArmedFailure {
  readonly failure: InjectedFailure;
  remaining: number;
}

/**
 * A driver that simulates one hypervisor host in memory, as Nova's FakeDriver: guests change power state as
 * the verbs say, capacity and usage are reported, spawn can take time on an injected clock, failures can be
 * injected per verb and per instance, and lifecycle events are emitted like a real driver's.
 */
export class FakeDriver implements ComputeDriver {
  readonly #guests = new Map<string, FakeGuest>();
  /** Guests moved away by migrateDiskAndPowerOff, kept for a revert until the move is confirmed. */
  readonly #resizeBackups = new Map<string, FakeGuest>();
  readonly #failures: ArmedFailure[] = [];
  /** Guests announced by preLiveMigration, taken by postLiveMigrationAtDestination. */
  readonly #incoming = new Map<string, FakeGuest>();
  /** Live migrations running on this (source) host: how to end each early. */
  readonly #liveMigrations = new Map<string, (end: "abort" | "complete") => void>();
  readonly #listeners = new LifecycleListeners();
  readonly #options: FakeDriverOptions;
  readonly #clock: Clock;
  #nodename: string;
  #closed = false;

  /** Builds a fake host; nothing is simulated before {@link FakeDriver.initHost}. */
  constructor(options: FakeDriverOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#nodename = options.nodename ?? "fake-mini";
  }

  /** {@inheritDoc ComputeDriver.initHost} */
  async initHost(host: string): Promise<void> {
    if (this.#options.nodename === undefined) this.#nodename = host;
  }

  /** {@inheritDoc ComputeDriver.close} */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** {@inheritDoc ComputeDriver.getAvailableNodes} */
  async getAvailableNodes(): Promise<string[]> {
    return [this.#nodename];
  }

  /** {@inheritDoc ComputeDriver.spawn} */
  async spawn(request: SpawnRequest): Promise<void> {
    this.#checkOpen();
    const { instance } = request;
    if (this.#guests.has(instance.uuid) || this.#findByName(instance.name)) {
      throw new InstanceExistsError(instance.name, { instanceUuid: instance.uuid });
    }
    if (this.#options.enforceCapacity) this.#checkCapacity(instance);
    // The guest is on the host (state NOSTATE) while it builds, so a destroy during the build finds it.
    const guest: FakeGuest = {
      ref: { uuid: instance.uuid, name: instance.name },
      flavor: instance.flavor,
      hostname: instance.hostname,
      state: PowerState.NOSTATE,
      console: "",
    };
    this.#guests.set(instance.uuid, guest);
    const delay = this.#spawnDelay(instance);
    if (delay > 0) await this.#clock.sleep(delay);
    if (this.#guests.get(instance.uuid) !== guest) {
      // Destroyed (and maybe re-spawned) while building: this build is over.
      throw new InstanceNotFoundError(instance.uuid);
    }
    try {
      this.#maybeFail("spawn", instance);
    } catch (error) {
      this.#guests.delete(instance.uuid);
      throw error;
    }
    if (request.powerOn === false) {
      guest.state = PowerState.SHUTDOWN;
      return;
    }
    this.#boot(guest, "started");
  }

  /** {@inheritDoc ComputeDriver.destroy} */
  async destroy(instance: InstanceRef, _options?: DestroyOptions): Promise<void> {
    this.#checkOpen();
    await this.#step("destroy", instance);
    const guest = this.#guests.get(instance.uuid);
    if (!guest) return; // Already gone: destroy is idempotent, as in Nova.
    this.#guests.delete(instance.uuid);
    if (guest.state !== PowerState.SHUTDOWN && guest.state !== PowerState.NOSTATE) {
      this.#emit(guest, "stopped");
    }
  }

  /** {@inheritDoc ComputeDriver.reboot} */
  async reboot(instance: InstanceRef, type: RebootType): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("reboot", instance);
    if (guest.state === PowerState.NOSTATE) {
      throw new InstanceInvalidStateError(instance.uuid, guest.state, "reboot");
    }
    // As libvirt's driver: a soft reboot of a guest that is not running becomes a hard one.
    const wasRunning = guest.state === PowerState.RUNNING;
    if (type === "SOFT" && wasRunning) {
      this.#appendConsole(guest, "Rebooting.\n");
      this.#boot(guest, undefined);
      return;
    }
    if (guest.state !== PowerState.SHUTDOWN) this.#emit(guest, "stopped");
    guest.state = PowerState.SHUTDOWN;
    this.#boot(guest, "started");
  }

  /** {@inheritDoc ComputeDriver.powerOff} */
  async powerOff(instance: InstanceRef, _options?: PowerOffOptions): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("powerOff", instance);
    if (guest.state === PowerState.SHUTDOWN) return;
    if (guest.state === PowerState.NOSTATE) {
      throw new InstanceInvalidStateError(instance.uuid, guest.state, "power off");
    }
    guest.state = PowerState.SHUTDOWN;
    this.#appendConsole(guest, "Power down.\n");
    this.#emit(guest, "stopped");
  }

  /** {@inheritDoc ComputeDriver.powerOn} */
  async powerOn(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("powerOn", instance);
    if (guest.state === PowerState.NOSTATE) {
      throw new InstanceInvalidStateError(instance.uuid, guest.state, "power on");
    }
    if (guest.state === PowerState.RUNNING) return;
    if (guest.state === PowerState.PAUSED) {
      guest.state = PowerState.RUNNING;
      this.#emit(guest, "resumed");
      return;
    }
    this.#boot(guest, "started");
  }

  /** {@inheritDoc ComputeDriver.pause} */
  async pause(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("pause", instance);
    this.#requireState(guest, [PowerState.RUNNING], "pause");
    guest.state = PowerState.PAUSED;
    this.#emit(guest, "paused");
  }

  /** {@inheritDoc ComputeDriver.unpause} */
  async unpause(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("unpause", instance);
    this.#requireState(guest, [PowerState.PAUSED], "unpause");
    guest.state = PowerState.RUNNING;
    this.#emit(guest, "resumed");
  }

  /** {@inheritDoc ComputeDriver.suspend} */
  async suspend(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("suspend", instance);
    this.#requireState(guest, [PowerState.RUNNING, PowerState.PAUSED], "suspend");
    guest.state = PowerState.SUSPENDED;
    this.#emit(guest, "suspended");
  }

  /** {@inheritDoc ComputeDriver.resume} */
  async resume(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    await this.#step("resume", instance);
    this.#requireState(guest, [PowerState.SUSPENDED], "resume");
    guest.state = PowerState.RUNNING;
    this.#emit(guest, "resumed");
  }

  /** {@inheritDoc ComputeDriver.prepResize} */
  async prepResize(instance: DriverInstance, flavor: DriverFlavor): Promise<void> {
    this.#checkOpen();
    await this.#step("prepResize", instance);
    // A same-host resize keeps the old guest while the new one runs: both count, as the claims do.
    if (this.#options.enforceCapacity) this.#checkCapacity({ ...instance, flavor });
  }

  /** {@inheritDoc ComputeDriver.migrateDiskAndPowerOff} */
  async migrateDiskAndPowerOff(
    instance: DriverInstance,
    destHost: string,
    flavor: DriverFlavor,
    _options?: PowerOffOptions,
  ): Promise<string> {
    const guest = this.#guest(instance);
    await this.#step("migrateDiskAndPowerOff", instance);
    if (guest.state !== PowerState.SHUTDOWN && guest.state !== PowerState.NOSTATE) {
      guest.state = PowerState.SHUTDOWN;
      this.#appendConsole(guest, "Power down.\n");
      this.#emit(guest, "stopped");
    }
    // The guest leaves the host's list (its disk is "on the way"); the backup serves a revert.
    this.#guests.delete(instance.uuid);
    this.#resizeBackups.set(instance.uuid, guest);
    return JSON.stringify({
      disks: [{ path: `fake/${guest.ref.name}/disk`, virt_disk_size: diskGb(flavor) }],
      dest: destHost,
    });
  }

  /** {@inheritDoc ComputeDriver.finishMigration} */
  async finishMigration(request: FinishMigrationRequest): Promise<void> {
    this.#checkOpen();
    const { instance } = request;
    await this.#step("finishMigration", instance);
    const guest: FakeGuest = {
      ref: { uuid: instance.uuid, name: instance.name },
      flavor: instance.flavor,
      hostname: instance.hostname,
      state: PowerState.SHUTDOWN,
      console: "",
    };
    this.#guests.set(instance.uuid, guest);
    if (request.powerOn) this.#boot(guest, "started");
  }

  /** {@inheritDoc ComputeDriver.confirmMigration} */
  async confirmMigration(instance: DriverInstance): Promise<void> {
    this.#checkOpen();
    await this.#step("confirmMigration", instance);
    this.#resizeBackups.delete(instance.uuid);
  }

  /** {@inheritDoc ComputeDriver.finishRevertMigration} */
  async finishRevertMigration(instance: DriverInstance, powerOn: boolean): Promise<void> {
    this.#checkOpen();
    await this.#step("finishRevertMigration", instance);
    // A source restarted mid-move lost its in-memory backup, while a real host keeps the guest's disks until
    // the move is confirmed: with neither a backup nor a guest, the original is rebuilt from the instance.
    const backup =
      this.#resizeBackups.get(instance.uuid) ??
      (this.#guests.has(instance.uuid)
        ? undefined
        : {
            ref: { uuid: instance.uuid, name: instance.name },
            flavor: instance.flavor,
            hostname: instance.hostname,
            state: PowerState.SHUTDOWN,
            console: "",
          });
    if (!backup) throw new InstanceNotFoundError(instance.uuid);
    this.#resizeBackups.delete(instance.uuid);
    this.#guests.set(instance.uuid, backup);
    if (powerOn && backup.state !== PowerState.RUNNING) this.#boot(backup, "started");
  }

  /** Guests moved off by migrateDiskAndPowerOff and not yet confirmed or reverted (their uuids). */
  resizeBackups(): string[] {
    return [...this.#resizeBackups.keys()];
  }

  /** {@inheritDoc ComputeDriver.checkCanLiveMigrateDestination} */
  async checkCanLiveMigrateDestination(
    instance: DriverInstance,
    options: { blockMigration: boolean | null },
  ): Promise<Record<string, unknown>> {
    this.#checkOpen();
    await this.#step("checkCanLiveMigrateDestination", instance);
    if (this.#options.enforceCapacity) this.#checkCapacity(instance);
    return {
      dest_node: this.#options.nodename ?? "fake-mini",
      block_migration: options.blockMigration ?? true,
    };
  }

  /** {@inheritDoc ComputeDriver.checkCanLiveMigrateSource} */
  async checkCanLiveMigrateSource(
    instance: InstanceRef,
    destCheckData: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.#guest(instance);
    await this.#step("checkCanLiveMigrateSource", instance);
    return { ...destCheckData, is_shared_instance_path: false };
  }

  /** {@inheritDoc ComputeDriver.preLiveMigration} */
  async preLiveMigration(
    instance: DriverInstance,
    migrateData: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.#checkOpen();
    await this.#step("preLiveMigration", instance);
    this.#incoming.set(instance.uuid, {
      ref: { uuid: instance.uuid, name: instance.name },
      flavor: instance.flavor,
      hostname: instance.hostname,
      state: PowerState.PAUSED,
      console: "",
    });
    return migrateData;
  }

  /**
   * {@inheritDoc ComputeDriver.liveMigration}
   * The copy takes `operation_delays.live_migration`, unless liveMigrationForceComplete or liveMigrationAbort ends
   * it first; an injected failure leaves the guest running here.
   */
  async liveMigration(
    instance: DriverInstance,
    _dest: string,
    _data: Record<string, unknown>,
  ): Promise<void> {
    this.#guest(instance);
    const delay = this.#options.operationDelaysMs?.liveMigration ?? 0;
    const end = await new Promise<"done" | "abort" | "complete">((resolve) => {
      this.#liveMigrations.set(instance.uuid, resolve);
      if (delay > 0) void this.#clock.sleep(delay).then(() => resolve("done"));
      else resolve("done");
    });
    this.#liveMigrations.delete(instance.uuid);
    if (end === "abort") throw new LiveMigrationAbortedError(instance.uuid);
    this.#maybeFail("liveMigration", instance);
    // The guest now runs on the destination: libvirt undefines it here (VIR_MIGRATE_UNDEFINE_SOURCE).
    this.#guests.delete(instance.uuid);
  }

  /** {@inheritDoc ComputeDriver.liveMigrationForceComplete} */
  async liveMigrationForceComplete(instance: InstanceRef): Promise<void> {
    this.#checkOpen();
    this.#liveMigrations.get(instance.uuid)?.("complete");
  }

  /** {@inheritDoc ComputeDriver.liveMigrationAbort} */
  async liveMigrationAbort(instance: InstanceRef): Promise<void> {
    this.#checkOpen();
    this.#liveMigrations.get(instance.uuid)?.("abort");
  }

  /** {@inheritDoc ComputeDriver.postLiveMigrationAtDestination} */
  async postLiveMigrationAtDestination(instance: DriverInstance): Promise<void> {
    this.#checkOpen();
    await this.#step("postLiveMigrationAtDestination", instance);
    const guest = this.#incoming.get(instance.uuid);
    if (!guest) throw new InstanceNotFoundError(instance.uuid);
    this.#incoming.delete(instance.uuid);
    this.#guests.set(instance.uuid, guest);
    this.#boot(guest, "resumed");
  }

  /** {@inheritDoc ComputeDriver.rollbackLiveMigrationAtDestination} */
  async rollbackLiveMigrationAtDestination(instance: InstanceRef): Promise<void> {
    this.#checkOpen();
    await this.#step("rollbackLiveMigrationAtDestination", instance);
    this.#incoming.delete(instance.uuid);
  }

  /** Guests announced by preLiveMigration and not yet taken or rolled back (their uuids). */
  incomingLiveMigrations(): string[] {
    return [...this.#incoming.keys()];
  }

  /** {@inheritDoc ComputeDriver.getInfo} */
  async getInfo(instance: InstanceRef): Promise<InstanceInfo> {
    const guest = this.#guest(instance);
    await this.#step("getInfo", instance);
    const running = guest.state !== PowerState.SHUTDOWN && guest.state !== PowerState.NOSTATE;
    return {
      state: guest.state,
      internalId: guest.ref.uuid,
      maxMemoryKb: guest.flavor.memoryMb * 1024,
      memoryKb: running ? guest.flavor.memoryMb * 1024 : 0,
      vcpus: guest.flavor.vcpus,
    };
  }

  /** {@inheritDoc ComputeDriver.instanceExists} */
  async instanceExists(instance: InstanceRef): Promise<boolean> {
    this.#checkOpen();
    return this.#guests.has(instance.uuid);
  }

  /** {@inheritDoc ComputeDriver.listInstances} */
  async listInstances(): Promise<string[]> {
    this.#checkOpen();
    await this.#step("listInstances", undefined);
    return [...this.#guests.values()].map((g) => g.ref.name);
  }

  /** {@inheritDoc ComputeDriver.listInstanceUuids} */
  async listInstanceUuids(): Promise<string[]> {
    this.#checkOpen();
    await this.#step("listInstances", undefined);
    return [...this.#guests.keys()];
  }

  /** {@inheritDoc ComputeDriver.getConsoleOutput} */
  async getConsoleOutput(instance: InstanceRef): Promise<string> {
    const guest = this.#guest(instance);
    await this.#step("getConsoleOutput", instance);
    return guest.console;
  }

  /** {@inheritDoc ComputeDriver.getAvailableResource} */
  async getAvailableResource(nodename: string): Promise<AvailableResource> {
    this.#checkOpen();
    await this.#step("getAvailableResource", undefined);
    if (nodename !== this.#nodename) {
      throw new HypervisorUnavailableError(
        `node ${nodename} is not managed by this driver (${this.#nodename})`,
      );
    }
    const used = this.#usage();
    return {
      vcpus: this.#options.vcpus ?? 1000,
      memoryMb: this.#options.memoryMb ?? 800_000,
      localGb: this.#options.localGb ?? 600_000,
      vcpusUsed: used.vcpus,
      memoryMbUsed: used.memoryMb,
      localGbUsed: used.localGb,
      hypervisorType: "fake",
      hypervisorVersion: versionToInt("1.0"),
      hypervisorHostname: this.#nodename,
      cpuInfo: "{}",
      diskAvailableLeast: (this.#options.localGb ?? 600_000) - used.localGb,
      supportedInstances: [["x86_64", "fake", "hvm"]],
    };
  }

  // --- lifecycle verbs (snapshot, rescue) ------------------------------------------------------------------

  /** {@inheritDoc ComputeDriver.snapshot} */
  async snapshot(instance: InstanceRef, request: SnapshotRequest): Promise<SnapshotResult> {
    const guest = this.#guest(instance);
    await request.onStep?.("pending_upload");
    this.#maybeFail("snapshot", instance);
    await request.onStep?.("uploading");
    if (!this.#guests.has(guest.ref.uuid)) throw new InstanceNotFoundError(instance.uuid);
    // A fake disk has no bytes: the image records the flavor's root disk as its size.
    return { diskFormat: "raw", containerFormat: "bare", size: guest.flavor.rootGb * 1024 ** 3 };
  }

  /** {@inheritDoc ComputeDriver.rescue} */
  async rescue(instance: DriverInstance, _request: RescueRequest): Promise<void> {
    const guest = this.#guest(instance);
    this.#maybeFail("rescue", instance);
    if (guest.rescued) throw new InstanceInvalidStateError(instance.uuid, guest.state, "rescue");
    if (guest.state !== PowerState.SHUTDOWN) this.#emit(guest, "stopped");
    guest.rescued = true;
    this.#appendConsole(guest, "Rescue image booted.\n");
    this.#boot(guest, "started");
  }

  /** {@inheritDoc ComputeDriver.unrescue} */
  async unrescue(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    this.#maybeFail("unrescue", instance);
    if (!guest.rescued) throw new InstanceInvalidStateError(instance.uuid, guest.state, "unrescue");
    guest.rescued = false;
    this.#emit(guest, "stopped");
    this.#boot(guest, "started");
  }

  /** Whether the guest runs from a rescue image. */
  isRescued(uuid: string): boolean {
    return this.#guests.get(uuid)?.rescued === true;
  }

  /** {@inheritDoc ComputeDriver.registerEventListener} */
  registerEventListener(listener: LifecycleListener): () => void {
    return this.#listeners.add(listener);
  }

  // --- simulation controls --------------------------------------------------------------------------------

  /** Makes calls of one verb fail (see InjectedFailure). Failures are used up in the order injected. */
  injectFailure(failure: InjectedFailure): void {
    this.#failures.push({ failure, remaining: failure.times ?? 1 });
  }

  /** Removes every injected failure not yet used up. */
  clearFailures(): void {
    this.#failures.length = 0;
  }

  /** Simulates the guest stopping by itself (shut down from inside, or crashed), with its lifecycle event. */
  simulateGuestStop(uuid: string, state: typeof PowerState.SHUTDOWN | typeof PowerState.CRASHED): void {
    const guest = this.#guests.get(uuid);
    if (!guest) throw new InstanceNotFoundError(uuid);
    if (guest.state === state) return;
    guest.state = state;
    this.#emit(guest, "stopped");
  }

  /** Appends text to a guest's console log, as if the guest printed it. */
  writeConsole(uuid: string, text: string): void {
    const guest = this.#guests.get(uuid);
    if (!guest) throw new InstanceNotFoundError(uuid);
    this.#appendConsole(guest, text);
  }

  /** The guests on the fake host, with their power states. */
  guests(): Array<{ uuid: string; name: string; state: PowerState }> {
    return [...this.#guests.values()].map((g) => ({ uuid: g.ref.uuid, name: g.ref.name, state: g.state }));
  }

  // --- internals ------------------------------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#closed) throw new HypervisorUnavailableError("the fake driver is closed");
  }

  #guest(instance: InstanceRef): FakeGuest {
    this.#checkOpen();
    const guest = this.#guests.get(instance.uuid);
    if (!guest) throw new InstanceNotFoundError(instance.uuid);
    return guest;
  }

  #findByName(name: string): FakeGuest | undefined {
    for (const guest of this.#guests.values()) if (guest.ref.name === name) return guest;
    return undefined;
  }

  #requireState(guest: FakeGuest, allowed: PowerState[], method: string): void {
    if (!allowed.includes(guest.state))
      throw new InstanceInvalidStateError(guest.ref.uuid, guest.state, method);
  }

  // One simulated operation: its configured delay, then any failure injected for it.
  async #step(
    operation: FakeDriverOperation,
    instance: InstanceRef | DriverInstance | undefined,
  ): Promise<void> {
    const delay = this.#options.operationDelaysMs?.[operation] ?? 0;
    if (delay > 0) await this.#clock.sleep(delay);
    this.#maybeFail(operation, instance);
  }

  #spawnDelay(instance: DriverInstance): number {
    const delay = this.#options.spawnDelayMs ?? this.#options.operationDelaysMs?.spawn ?? 0;
    return typeof delay === "function" ? delay(instance) : delay;
  }

  #usage(): { vcpus: number; memoryMb: number; localGb: number } {
    let vcpus = 0;
    let memoryMb = 0;
    let localGb = 0;
    for (const { flavor } of this.#guests.values()) {
      vcpus += flavor.vcpus;
      memoryMb += flavor.memoryMb;
      localGb += diskGb(flavor);
    }
    return { vcpus, memoryMb, localGb };
  }

  #checkCapacity(instance: Pick<DriverInstance, "uuid" | "flavor">): void {
    const used = this.#usage();
    const { flavor } = instance;
    const lacking: string[] = [];
    const free = (total: number, usedNow: number) => total - usedNow;
    const vcpus = free(this.#options.vcpus ?? 1000, used.vcpus);
    const memoryMb = free(this.#options.memoryMb ?? 800_000, used.memoryMb);
    const localGb = free(this.#options.localGb ?? 600_000, used.localGb);
    if (flavor.vcpus > vcpus) lacking.push(`vcpus: requested ${flavor.vcpus}, free ${vcpus}`);
    if (flavor.memoryMb > memoryMb)
      lacking.push(`memory: requested ${flavor.memoryMb} MB, free ${memoryMb} MB`);
    if (diskGb(flavor) > localGb) lacking.push(`disk: requested ${diskGb(flavor)} GB, free ${localGb} GB`);
    if (lacking.length > 0) {
      throw new ComputeResourcesUnavailableError(lacking.join("; "), { instanceUuid: instance.uuid });
    }
  }

  #maybeFail(operation: FakeDriverOperation, instance: InstanceRef | DriverInstance | undefined): void {
    const index = this.#failures.findIndex(
      ({ failure }) =>
        failure.operation === operation &&
        (failure.instanceUuid === undefined || failure.instanceUuid === instance?.uuid) &&
        (failure.matches === undefined || (instance !== undefined && failure.matches(instance))),
    );
    if (index < 0) return;
    const armed = this.#failures[index]!;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.#failures.splice(index, 1);
    const { error } = armed.failure;
    if (error instanceof Error) throw error;
    if (typeof error === "function") throw error(instance);
    throw defaultFailure(operation, instance);
  }

  #boot(guest: FakeGuest, transition: LifecycleTransition | undefined): void {
    guest.state = PowerState.RUNNING;
    const readyLine = this.#options.readyLine ?? ((i) => `${i.hostname ?? i.name} login:`);
    this.#appendConsole(
      guest,
      `Booting ${guest.ref.name} (${guest.ref.uuid})\n${readyLine({ ...guest.ref, hostname: guest.hostname })}\n`,
    );
    if (transition) this.#emit(guest, transition);
  }

  #appendConsole(guest: FakeGuest, text: string): void {
    guest.console += text;
    // Keep only the tail Nova would return (counting UTF-16 units as bytes is close enough for a fake).
    if (guest.console.length > MAX_CONSOLE_BYTES) guest.console = guest.console.slice(-MAX_CONSOLE_BYTES);
  }

  #emit(guest: FakeGuest, transition: LifecycleTransition): void {
    this.#listeners.emit({ uuid: guest.ref.uuid, transition, timestamp: this.#clock.now() });
  }
}

// DISK_GB as the scheduler claims it (Nova's resources_from_flavor).
function diskGb(flavor: DriverFlavor): number {
  return resourcesFromFlavor({
    root_gb: flavor.rootGb,
    ephemeral_gb: flavor.ephemeralGb,
    swap: flavor.swapMb,
  }).disk_gb;
}

function defaultFailure(operation: FakeDriverOperation, instance: InstanceRef | undefined): Error {
  const uuid = instance?.uuid ?? "(none)";
  switch (operation) {
    case "spawn":
      return new SpawnFailedError(uuid, "injected spawn failure");
    case "powerOff":
      return new InstancePowerOffFailureError(uuid, "injected power off failure");
    case "reboot":
      return new InstanceRebootFailureError(uuid, "injected reboot failure");
    default:
      return new HypervisorUnavailableError(`injected ${operation} failure`);
  }
}
