import { constants as fsConstants } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Clock, systemClock } from "@nova/core";
import {
  type AvailableResource,
  type ComputeDriver,
  type DestroyOptions,
  type DriverFlavor,
  type DriverInstance,
  type FinishMigrationRequest,
  HypervisorUnavailableError,
  InstanceExistsError,
  type InstanceInfo,
  InstanceInvalidStateError,
  InstanceNotFoundError,
  InstancePowerOffFailureError,
  type InstanceRef,
  type LifecycleListener,
  LifecycleListeners,
  MAX_CONSOLE_BYTES,
  type PowerOffOptions,
  PowerState,
  type RebootType,
  type RescueRequest,
  type SnapshotRequest,
  type SnapshotResult,
  SpawnFailedError,
  type SpawnRequest,
  VirtError,
} from "@nova/virt";
import type { LibvirtDriverConfig } from "../config.js";
import { ImageCache } from "../images/image-cache.js";
import type { ImageSource } from "../images/image-source.js";
import { type GuestRecord, type InstanceFiles, InstanceStorage } from "../images/instance-storage.js";
import { QemuImg } from "../images/qemu-img.js";
import { LibvirtClient } from "../libvirt-client.js";
import { ListDomainsFlags } from "../libvirt-constants.js";
import { LibvirtError } from "../rpc/libvirt-error.js";
import { VirErrorNumber } from "../rpc/vir-error-codes.js";
import { buildDomainXml } from "../xml/domain-xml.js";
import type { GuestConfig, GuestDisk } from "../xml/guest-config.js";
import { designGuest } from "../xml/guest-designer.js";
import { cpuInfoJson, supportedInstances } from "../xml/host-capabilities.js";
import type { Guest } from "./guest.js";
import { Host } from "./host.js";
import type { LibvirtApi } from "./libvirt-api.js";
import { LifecycleEventFilter } from "./lifecycle-event-filter.js";
import { type MigrationDiskInfo, parseDiskInfo } from "./migration-disk-info.js";
import { ResizeError } from "./resize-error.js";

const GiB = 1024 ** 3;

/** What the driver is built from: its configuration and the parts it talks to. */
export interface LibvirtDriverOptions {
  /** The parsed `[libvirt]` (and related) options. */
  readonly config: LibvirtDriverConfig;
  /** Where images come from (the image catalog). */
  readonly imageSource: ImageSource;
  /** Opens a libvirt connection (default: the remote protocol on config.socketPath to config.connectionUri). */
  readonly connect?: () => Promise<LibvirtApi>;
  /** Time for graceful-shutdown waits and the lifecycle event delay (default the wall clock). */
  readonly clock?: Clock;
  /** The qemu-img the image cache runs (default `qemu-img` on the PATH). */
  readonly qemuImg?: QemuImg;
  /** Written into Nova's metadata element and SMBIOS. */
  readonly packageVersion?: string;
  /** Told about what the driver recovered from (listener errors, ignored shutdown failures). */
  readonly onWarning?: (message: string, error?: unknown) => void;
}

/**
 * Nova's libvirt driver over libvirt's remote protocol: guests defined from XML built from the instance, disks
 * from the image cache, every verb of ComputeDriver (graceful soft reboot and power off with fallbacks), power
 * states mapped as Nova maps them, host resources from one consistent source, lifecycle events forwarded.
 */
export class LibvirtDriver implements ComputeDriver {
  readonly #config: LibvirtDriverConfig;
  readonly #clock: Clock;
  readonly #host: Host;
  readonly #storage: InstanceStorage;
  readonly #cache: ImageCache;
  readonly #qemuImg: QemuImg;
  readonly #listeners: LifecycleListeners;
  readonly #events: LifecycleEventFilter;
  readonly #packageVersion: string;
  readonly #warn: (message: string, error?: unknown) => void;
  #diskCache: "none" | "writethrough" | undefined;

  /** Builds the driver; it connects at {@link LibvirtDriver.initHost}. */
  constructor(options: LibvirtDriverOptions) {
    const config = options.config;
    this.#config = config;
    this.#clock = options.clock ?? systemClock;
    this.#packageVersion = options.packageVersion ?? "0.1.0";
    this.#warn = options.onWarning ?? (() => {});
    this.#listeners = new LifecycleListeners((error) => this.#warn("lifecycle listener failed", error));
    this.#events = new LifecycleEventFilter({
      clock: this.#clock,
      delayMs: config.lifecycleEventDelaySeconds * 1000,
      emit: (event) => this.#listeners.emit(event),
    });
    const connect =
      options.connect ??
      (() => LibvirtClient.connect({ uri: config.connectionUri, socketPath: config.socketPath }));
    this.#host = new Host({ connect, onEvent: (message) => this.#events.handle(message) });
    const qemuImg = options.qemuImg ?? new QemuImg();
    this.#qemuImg = qemuImg;
    const cache = new ImageCache({
      baseDir: join(config.instancesPath, "_base"),
      source: options.imageSource,
      qemuImg,
    });
    this.#cache = cache;
    this.#storage = new InstanceStorage({
      instancesPath: config.instancesPath,
      cache,
      qemuImg,
      imagesType: config.imagesType,
    });
  }

  /** {@inheritDoc ComputeDriver.initHost} */
  async initHost(_host: string): Promise<void> {
    await mkdir(this.#config.instancesPath, { recursive: true });
    await this.#host.connection();
    const caps = await this.#host.getCapabilities();
    const types = new Set(caps.guests.flatMap((g) => g.domainTypes));
    if (!types.has(this.#config.virtType)) {
      throw new HypervisorUnavailableError(
        `virt_type ${this.#config.virtType} is not available on this host (libvirt offers: ${[...types].join(", ") || "none"})`,
      );
    }
    this.#diskCache = (await supportsDirectIo(this.#config.instancesPath)) ? "none" : "writethrough";
  }

  /** {@inheritDoc ComputeDriver.close} */
  async close(): Promise<void> {
    this.#events.close();
    await this.#host.close();
  }

  /** {@inheritDoc ComputeDriver.getAvailableNodes} */
  async getAvailableNodes(): Promise<string[]> {
    return [await this.#host.call((api) => api.getHostname())];
  }

  // --- spawn and destroy -----------------------------------------------------------------------------------

  /** {@inheritDoc ComputeDriver.spawn} */
  async spawn(request: SpawnRequest): Promise<void> {
    const { instance, imageMeta } = request;
    if (await this.#host.findGuest(instance.uuid)) {
      throw new InstanceExistsError(instance.name, { instanceUuid: instance.uuid });
    }
    let guest: Guest | undefined;
    try {
      const files = await this.#storage.prepare(instance, imageMeta);
      const record: GuestRecord = { imageMeta, networkInfo: request.networkInfo ?? [] };
      await this.#storage.writeRecord(files.dir, record);
      guest = await this.#defineGuest(instance, record, files);
      if (request.powerOn !== false) await guest.launch();
    } catch (error) {
      await this.#cleanup(instance, guest);
      if (VirtError.isInstance(error)) throw error;
      const reason = LibvirtError.isInstance(error)
        ? `${error.virCodeName}: ${error.message}`
        : String(error);
      throw new SpawnFailedError(instance.uuid, reason, { cause: error });
    }
  }

  /** Designs the guest from the instance and its record, with its files at `files`, and defines it. */
  async #defineGuest(
    instance: DriverInstance,
    record: GuestRecord,
    files: InstanceFiles,
    extraDisks: readonly GuestDisk[] = [],
  ): Promise<Guest> {
    const designed = designGuest({
      instance,
      imageMeta: record.imageMeta,
      networkInfo: record.networkInfo,
      virtType: this.#config.virtType,
      cpuMode: this.#config.cpuMode,
      ...(this.#config.cpuModels[0] ? { cpuModel: this.#config.cpuModels[0] } : {}),
      paths: files,
      diskCache: this.#diskCache ?? "writethrough",
      ...(this.#config.vnc.enabled
        ? { graphics: { type: "vnc" as const, listen: this.#config.vnc.serverListen } }
        : {}),
      memStatsPeriodSeconds: this.#config.memStatsPeriodSeconds,
      packageVersion: this.#packageVersion,
      now: this.#clock.now(),
    });
    const config: GuestConfig = { ...designed, disks: [...designed.disks, ...extraDisks] };
    const xml = buildDomainXml(config);
    await writeFile(join(files.dir, "libvirt.xml"), xml);
    return this.#host.defineGuest(xml);
  }

  async #cleanup(instance: InstanceRef, guest: Guest | undefined): Promise<void> {
    try {
      if (guest) {
        await ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID, VirErrorNumber.NO_DOMAIN);
        await ignoring(guest.deleteConfiguration(), VirErrorNumber.NO_DOMAIN);
      }
      await this.#storage.remove(instance.uuid);
    } catch (error) {
      this.#warn(`cleanup after a failed spawn of ${instance.uuid} failed`, error);
    }
  }

  /** {@inheritDoc ComputeDriver.destroy} */
  async destroy(instance: InstanceRef, options: DestroyOptions = {}): Promise<void> {
    const guest = await this.#host.findGuest(instance.uuid);
    if (guest) {
      await this.#host.call(async () => {
        await ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID, VirErrorNumber.NO_DOMAIN);
        await ignoring(guest.deleteConfiguration(), VirErrorNumber.NO_DOMAIN);
      });
    }
    if (options.destroyDisks !== false) await this.#storage.remove(instance.uuid);
  }

  // --- power -----------------------------------------------------------------------------------------------

  /** {@inheritDoc ComputeDriver.reboot} */
  async reboot(instance: InstanceRef, type: RebootType): Promise<void> {
    const guest = await this.#host.getGuest(instance);
    if (type === "SOFT" && (await this.#state(guest)) === PowerState.RUNNING) {
      if (await this.#softReboot(guest)) return;
      this.#warn(
        `soft reboot of ${instance.uuid} did not finish in ${this.#config.waitSoftRebootSeconds}s; rebooting hard`,
      );
    }
    await this.#hardReboot(instance);
  }

  /** Nova's soft reboot: ask the guest to shut down, start it again once off; false if it never went off. */
  async #softReboot(guest: Guest): Promise<boolean> {
    const oldId = guest.id;
    await this.#host
      .call(() => guest.shutdown())
      .catch((error: unknown) => this.#warn("shutdown request failed", error));
    for (let second = 0; second < this.#config.waitSoftRebootSeconds; second++) {
      const current = await this.#host.findGuest(guest.uuid);
      if (!current) return false;
      const state = await this.#state(current);
      if (state === PowerState.SHUTDOWN || state === PowerState.CRASHED) {
        await this.#host.call(() => current.launch());
        return true;
      }
      // A new domain id means the guest restarted by itself.
      if (current.id !== oldId && current.id !== -1) return true;
      await this.#clock.sleep(1000);
    }
    return false;
  }

  async #hardReboot(instance: InstanceRef): Promise<void> {
    const guest = await this.#host.getGuest(instance);
    await this.#host.call(async () => {
      await ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID);
      await guest.launch();
    });
  }

  /** {@inheritDoc ComputeDriver.powerOff} */
  async powerOff(instance: InstanceRef, options: PowerOffOptions = {}): Promise<void> {
    const timeout = options.timeoutSeconds ?? 0;
    const retryInterval = options.retryIntervalSeconds ?? 10;
    if (timeout > 0 && (await this.#cleanShutdown(instance, timeout, retryInterval))) return;
    const guest = await this.#host.getGuest(instance);
    try {
      await this.#host.call(() => ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID));
    } catch (error) {
      if (VirtError.isInstance(error)) throw error;
      throw new InstancePowerOffFailureError(instance.uuid, (error as Error).message, { cause: error });
    }
  }

  /** Nova's _clean_shutdown: ACPI shutdown, re-sent every retry interval, until off or the timeout. */
  async #cleanShutdown(instance: InstanceRef, timeout: number, retryInterval: number): Promise<boolean> {
    const guest = await this.#host.findGuest(instance.uuid);
    if (!guest) return true;
    if (isOff(await this.#state(guest))) return true;
    const ask = () =>
      this.#host
        .call(() => guest.shutdown())
        .catch((error: unknown) => this.#warn("shutdown request failed", error));
    await ask();
    let countdown = retryInterval;
    for (let second = 0; second < timeout; second++) {
      if (isOff(await this.#state(guest))) return true;
      if (countdown === 0) {
        countdown = retryInterval;
        await ask();
      }
      countdown -= 1;
      await this.#clock.sleep(1000);
    }
    return isOff(await this.#state(guest));
  }

  /** {@inheritDoc ComputeDriver.powerOn} */
  async powerOn(instance: InstanceRef): Promise<void> {
    const guest = await this.#host.getGuest(instance);
    const state = await this.#state(guest);
    if (state === PowerState.RUNNING) return;
    if (state === PowerState.PAUSED) {
      await this.#host.call(() => guest.resume());
      return;
    }
    // From shutdown, crashed or suspended (a managed save is restored by the start).
    await this.#host.call(() => guest.launch());
  }

  /** {@inheritDoc ComputeDriver.pause} */
  async pause(instance: InstanceRef): Promise<void> {
    const guest = await this.#requireState(instance, [PowerState.RUNNING], "pause");
    await this.#stateful(instance, "pause", () => guest.pause());
  }

  /** {@inheritDoc ComputeDriver.unpause} */
  async unpause(instance: InstanceRef): Promise<void> {
    const guest = await this.#requireState(instance, [PowerState.PAUSED], "unpause");
    await this.#stateful(instance, "unpause", () => guest.resume());
  }

  /** {@inheritDoc ComputeDriver.suspend} */
  async suspend(instance: InstanceRef): Promise<void> {
    const guest = await this.#requireState(instance, [PowerState.RUNNING, PowerState.PAUSED], "suspend");
    await this.#stateful(instance, "suspend", () => guest.save());
  }

  /** {@inheritDoc ComputeDriver.resume} */
  async resume(instance: InstanceRef): Promise<void> {
    const guest = await this.#requireState(instance, [PowerState.SUSPENDED], "resume");
    await this.#stateful(instance, "resume", () => guest.launch());
  }

  // --- state and host --------------------------------------------------------------------------------------

  // --- resize and cold migration ----------------------------------------------------------------------------
  // Nova's layout: the source powers the guest off and moves its folder aside to `<uuid>_resize`; the
  // destination copies the files from there into its own instances_path (Nova's source pushes them over ssh;
  // here both hosts share one machine, so the destination pulls from the path the disk info names), and defines
  // the domain again (same uuid and name: the one instance, redefined) at the new size. Confirm removes the
  // `_resize` folder; revert renames it back and redefines the source's guest. See
  // docs/decisions/2026-12-07-libvirt-resize-rescue-snapshot.md.

  /** {@inheritDoc ComputeDriver.prepResize} */
  async prepResize(_instance: DriverInstance, _flavor: DriverFlavor): Promise<void> {
    // Nothing to check here (the compute hands the new size only); the source refuses a shrinking root disk.
  }

  /** {@inheritDoc ComputeDriver.migrateDiskAndPowerOff} */
  async migrateDiskAndPowerOff(
    instance: DriverInstance,
    _destHost: string,
    flavor: DriverFlavor,
    options: PowerOffOptions = {},
  ): Promise<string> {
    // Nova refuses to shrink a root disk (its contents could not be kept).
    if (flavor.rootGb > 0 && flavor.rootGb < instance.flavor.rootGb) {
      throw new ResizeError(instance.uuid, "unable to resize disk down");
    }
    await this.powerOff(instance, options);
    const aside = await this.#storage.moveAsideForResize(instance.uuid);
    // The source's definition now points at the `_resize` copy: what a revert brings back, and how confirm
    // tells its own definition from the destination's on a libvirtd both hosts share.
    const record = await this.#storage.readRecord(aside);
    await this.#defineGuest(instance, record, this.#storage.filesIn(aside, record.imageMeta));
    const info: MigrationDiskInfo = { sourceDir: aside };
    return JSON.stringify(info);
  }

  /** {@inheritDoc ComputeDriver.finishMigration} */
  async finishMigration(request: FinishMigrationRequest): Promise<void> {
    const { instance } = request;
    const info = parseDiskInfo(request.diskInfo, instance.uuid);
    const files = await this.#storage.adoptMigrated(instance.uuid, info.sourceDir, instance.flavor.rootGb);
    const record = await this.#storage.readRecord(files.dir);
    const guest = await this.#defineGuest(instance, record, files);
    if (request.powerOn) await this.#host.call(() => guest.launch());
  }

  /** {@inheritDoc ComputeDriver.confirmMigration} */
  async confirmMigration(instance: DriverInstance): Promise<void> {
    const aside = this.#storage.resizeDirFor(instance.uuid);
    // On hosts with their own libvirtd the source's definition is still there (pointing at `_resize`); on a
    // shared one the destination replaced it, and the guest must stay.
    const guest = await this.#host.findGuest(instance.uuid);
    if (guest && (await this.#ownsDomain(guest, aside))) {
      await this.#host.call(async () => {
        await ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID, VirErrorNumber.NO_DOMAIN);
        await ignoring(guest.deleteConfiguration(), VirErrorNumber.NO_DOMAIN);
      });
    }
    await this.#storage.removeResize(instance.uuid);
  }

  /** {@inheritDoc ComputeDriver.finishRevertMigration} */
  async finishRevertMigration(instance: DriverInstance, powerOn: boolean): Promise<void> {
    await this.#storage.restoreFromResize(instance.uuid);
    const record = await this.#storage.readRecord(this.#storage.filesFor(instance.uuid).dir);
    const files = this.#storage.filesFor(instance.uuid, record.imageMeta);
    const guest = await this.#defineGuest(instance, record, files);
    if (powerOn) await this.#host.call(() => guest.launch());
  }

  /** Whether the domain's definition uses files under `dir` (this host's copy of the guest). */
  async #ownsDomain(guest: Guest, dir: string): Promise<boolean> {
    const xml = await this.#host.call(() => guest.getPersistentXml());
    return xml.includes(`'${dir}/`) || xml.includes(`"${dir}/`);
  }

  // --- snapshot and rescue ---------------------------------------------------------------------------------

  /**
   * {@inheritDoc ComputeDriver.snapshot}
   * Nova's cold snapshot: a running or paused guest is saved (managed save) so its disk is still, the disk is
   * copied with `qemu-img convert -O qcow2` (a standalone image, no backing file) into snapshots_directory, and
   * the guest is started again in the state it had. The catalogue takes the file as the image's bits.
   */
  async snapshot(instance: InstanceRef, request: SnapshotRequest): Promise<SnapshotResult> {
    const guest = await this.#host.getGuest(instance);
    const before = await this.#state(guest);
    await request.onStep?.("pending_upload");
    const live = before === PowerState.RUNNING || before === PowerState.PAUSED;
    await mkdir(this.#config.snapshotsDirectory, { recursive: true });
    const file = join(this.#config.snapshotsDirectory, request.imageId);
    const tmp = `${file}.part`;
    if (live) await this.#stateful(instance, "snapshot", () => guest.save());
    try {
      const disk = this.#storage.filesFor(instance.uuid).disk;
      const info = await this.#qemuImg.info(disk);
      await this.#qemuImg.convert(disk, info.format, tmp, "qcow2");
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
      if (live) await this.#restorePower(guest, before);
    }
    await request.onStep?.("uploading");
    return { diskFormat: "qcow2", containerFormat: "bare", size: (await stat(file)).size, file };
  }

  /** Starts a guest saved for a snapshot again, paused if it was. */
  async #restorePower(guest: Guest, before: PowerState): Promise<void> {
    await this.#host.call(() => guest.launch());
    if (before === PowerState.PAUSED && (await this.#state(guest)) === PowerState.RUNNING) {
      await this.#host.call(() => guest.pause());
    }
  }

  /**
   * {@inheritDoc ComputeDriver.rescue}
   * Nova's layout: the domain's definition is kept aside as `unrescue.xml`, the rescue image becomes
   * `disk.rescue` (with `kernel.rescue`, `ramdisk.rescue`), and the domain is redefined to boot it with the
   * guest's own disk attached second.
   */
  async rescue(instance: DriverInstance, request: RescueRequest): Promise<void> {
    const guest = await this.#host.getGuest(instance);
    const rescueFiles = this.#storage.rescueFilesFor(instance.uuid, request.imageMeta);
    if (await exists(rescueFiles.unrescueXml)) {
      throw new InstanceInvalidStateError(instance.uuid, await this.#state(guest), "rescue");
    }
    const originalXml = await this.#host.call(() => guest.getPersistentXml());
    const dir = this.#storage.filesFor(instance.uuid).dir;
    const record = await this.#storage.readRecord(dir);
    const own = this.#storage.filesFor(instance.uuid, record.imageMeta);
    await writeFile(rescueFiles.unrescueXml, originalXml);
    try {
      const rescue = await this.#storage.prepareRescue(instance, request.imageMeta);
      await this.#host.call(() =>
        ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID, VirErrorNumber.NO_DOMAIN),
      );
      const bus = (request.imageMeta.properties.hwDiskBus ?? "virtio") as GuestDisk["bus"];
      const rescued = await this.#defineGuest(
        instance,
        { imageMeta: request.imageMeta, networkInfo: record.networkInfo },
        {
          dir,
          disk: rescue.disk,
          diskFormat: own.diskFormat,
          ...(rescue.kernel ? { kernel: rescue.kernel } : {}),
          ...(rescue.ramdisk ? { ramdisk: rescue.ramdisk } : {}),
          consoleLog: own.consoleLog,
        },
        [
          {
            device: "disk",
            sourcePath: own.disk,
            format: own.diskFormat,
            cache: this.#diskCache ?? "writethrough",
            targetDev: bus === "virtio" ? "vdb" : "sdb",
            bus,
          },
        ],
      );
      await this.#host.call(() => rescued.launch());
    } catch (error) {
      // Back to the guest as it was: its own definition, and no rescue files.
      await this.#host.defineGuest(originalXml).catch((e: unknown) => this.#warn("restore failed", e));
      await this.#storage.removeRescue(instance.uuid);
      throw error;
    }
  }

  /** {@inheritDoc ComputeDriver.unrescue} */
  async unrescue(instance: InstanceRef): Promise<void> {
    const guest = await this.#host.getGuest(instance);
    const { unrescueXml } = this.#storage.rescueFilesFor(instance.uuid);
    let originalXml: string;
    try {
      originalXml = await readFile(unrescueXml, "utf8");
    } catch (error) {
      throw new InstanceInvalidStateError(instance.uuid, await this.#state(guest), "unrescue", {
        cause: error,
      });
    }
    await this.#host.call(() =>
      ignoring(guest.poweroff(), VirErrorNumber.OPERATION_INVALID, VirErrorNumber.NO_DOMAIN),
    );
    const original = await this.#host.defineGuest(originalXml);
    await writeFile(join(this.#storage.filesFor(instance.uuid).dir, "libvirt.xml"), originalXml);
    await this.#storage.removeRescue(instance.uuid);
    await this.#host.call(() => original.launch());
  }

  /** {@inheritDoc ComputeDriver.getInfo} */
  async getInfo(instance: InstanceRef): Promise<InstanceInfo> {
    const guest = await this.#host.getGuest(instance);
    return this.#host.call(async () => {
      try {
        const [info, state] = await Promise.all([guest.getInfo(), guest.getPowerState()]);
        return {
          state,
          internalId: String(guest.id),
          maxMemoryKb: info.maxMemoryKb,
          memoryKb: info.memoryKb,
          vcpus: info.vcpus,
          cpuTimeNs: info.cpuTimeNs,
        };
      } catch (error) {
        throw notFound(error, instance);
      }
    });
  }

  /** {@inheritDoc ComputeDriver.instanceExists} */
  async instanceExists(instance: InstanceRef): Promise<boolean> {
    return (await this.#host.findGuest(instance.uuid)) !== undefined;
  }

  /** {@inheritDoc ComputeDriver.listInstances} */
  async listInstances(): Promise<string[]> {
    return (await this.#host.listGuests()).map((g) => g.name);
  }

  /** {@inheritDoc ComputeDriver.listInstanceUuids} */
  async listInstanceUuids(): Promise<string[]> {
    return (await this.#host.listGuests()).map((g) => g.uuid);
  }

  /** {@inheritDoc ComputeDriver.getConsoleOutput} */
  async getConsoleOutput(instance: InstanceRef): Promise<string> {
    await this.#host.getGuest(instance);
    const path = this.#storage.filesFor(instance.uuid).consoleLog;
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch {
      return ""; // As Nova: the log appears once the guest first starts.
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, MAX_CONSOLE_BYTES);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, size - length);
      return buf.toString("utf8");
    } finally {
      await handle.close();
    }
  }

  /** {@inheritDoc ComputeDriver.getAvailableResource} */
  async getAvailableResource(nodename: string): Promise<AvailableResource> {
    const [caps, node, memory, hostname, version, type] = await this.#host.call((api) =>
      Promise.all([
        this.#host.getCapabilities(),
        api.nodeGetInfo(),
        api.nodeGetMemoryStats(),
        api.getHostname(),
        api.getVersion(),
        api.getType(),
      ]),
    );
    if (nodename !== hostname) {
      throw new HypervisorUnavailableError(`node ${nodename} is not this host (${hostname})`);
    }
    // Total and used memory from one read of the host (libvirt's node memory stats): mixing libvirt's node
    // info with /proc/meminfo, as Nova does, can make "used" negative where the two disagree.
    const totalKb = memory.total ?? node.memoryKb;
    const availableKb = (memory.free ?? 0) + (memory.buffers ?? 0) + (memory.cached ?? 0);
    const fs = await statfs(this.#config.instancesPath);
    const totalBytes = fs.blocks * fs.bsize;
    const freeBytes = fs.bavail * fs.bsize;
    const usedBytes = (fs.blocks - fs.bfree) * fs.bsize;
    const [vcpusUsed, overcommit] = await Promise.all([this.#vcpusUsed(), this.#diskOvercommitBytes()]);
    return {
      vcpus: node.cpus,
      memoryMb: Math.floor(totalKb / 1024),
      localGb: Math.floor(totalBytes / GiB),
      vcpusUsed,
      memoryMbUsed: Math.floor((totalKb - availableKb) / 1024),
      localGbUsed: Math.floor(usedBytes / GiB),
      hypervisorType: type,
      hypervisorVersion: version,
      hypervisorHostname: hostname,
      cpuInfo: cpuInfoJson(caps),
      diskAvailableLeast: Math.floor((freeBytes - overcommit) / GiB),
      supportedInstances: supportedInstances(caps),
    };
  }

  /**
   * Nova's periodic image cache cleanup: removes base images no instance on this host is backed by and that
   * were not used for `minAgeSeconds` (default 24 h). Returns the removed files.
   */
  async manageImageCache(minAgeSeconds = 86_400): Promise<string[]> {
    // File ages are wall-clock times (mtime), so they are compared with the wall clock, not the injected one.
    return this.#cache.removeUnused(await this.#storage.baseImagesInUse(), minAgeSeconds * 1000, Date.now());
  }

  /** {@inheritDoc ComputeDriver.registerEventListener} */
  registerEventListener(listener: LifecycleListener): () => void {
    return this.#listeners.add(listener);
  }

  // --- internals -------------------------------------------------------------------------------------------

  async #state(guest: Guest): Promise<PowerState> {
    return this.#host.call(() => guest.getPowerState());
  }

  async #requireState(instance: InstanceRef, allowed: PowerState[], method: string): Promise<Guest> {
    const guest = await this.#host.getGuest(instance);
    const state = await this.#state(guest);
    if (!allowed.includes(state)) throw new InstanceInvalidStateError(instance.uuid, state, method);
    return guest;
  }

  /** Runs a state-changing call, mapping libvirt's "not in this state" and "no domain" to Nova's errors. */
  async #stateful(instance: InstanceRef, method: string, fn: () => Promise<void>): Promise<void> {
    try {
      await this.#host.call(fn);
    } catch (error) {
      if (LibvirtError.hasVirCode(error, VirErrorNumber.OPERATION_INVALID)) {
        const guest = await this.#host.findGuest(instance.uuid);
        const state = guest ? await this.#state(guest) : PowerState.NOSTATE;
        throw new InstanceInvalidStateError(instance.uuid, state, method, { cause: error });
      }
      throw notFound(error, instance);
    }
  }

  async #vcpusUsed(): Promise<number> {
    const active = await this.#host.call((api) => api.listAllDomains(ListDomainsFlags.ACTIVE));
    const infos = await this.#host.call((api) =>
      Promise.all(active.map((d) => api.domainGetInfo(d).catch(() => undefined))),
    );
    return infos.reduce((sum, info) => sum + (info?.vcpus ?? 0), 0);
  }

  /** Bytes the instance disks may still grow by (virtual size minus what they use now), as Nova counts it. */
  async #diskOvercommitBytes(): Promise<number> {
    const guests = await this.#host.listGuests();
    let total = 0;
    for (const guest of guests) {
      const disk = this.#storage.filesFor(guest.uuid).disk;
      const sizes = await diskSizes(disk);
      if (sizes) total += Math.max(0, sizes.virtual - sizes.actual);
    }
    return total;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isOff(state: PowerState): boolean {
  return state === PowerState.SHUTDOWN || state === PowerState.CRASHED;
}

/** Awaits `promise`, treating the given libvirt error numbers as success. */
async function ignoring(promise: Promise<void>, ...codes: number[]): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (LibvirtError.isInstance(error) && codes.includes(error.virCode)) return;
    throw error;
  }
}

function notFound(error: unknown, instance: InstanceRef): unknown {
  if (LibvirtError.hasVirCode(error, VirErrorNumber.NO_DOMAIN)) {
    return new InstanceNotFoundError(instance.uuid, { cause: error });
  }
  return error;
}

/** Virtual and allocated size of a disk file: qcow2's header holds the virtual size at byte 24. */
async function diskSizes(path: string): Promise<{ virtual: number; actual: number } | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  const actual = info.blocks * 512;
  const handle = await open(path, "r");
  try {
    const header = Buffer.alloc(32);
    await handle.read(header, 0, 32, 0);
    const qcow2 = header.readUInt32BE(0) === 0x514649fb;
    return { virtual: qcow2 ? Number(header.readBigUInt64BE(24)) : info.size, actual };
  } finally {
    await handle.close();
  }
}

/** Nova picks cache="none" only where the filesystem takes O_DIRECT (tmpfs does not). */
async function supportsDirectIo(dir: string): Promise<boolean> {
  const probe = join(dir, `.directio.${process.pid}`);
  try {
    const handle = await open(
      probe,
      fsConstants.O_CREAT | fsConstants.O_WRONLY | (fsConstants.O_DIRECT ?? 0),
    );
    await handle.close();
    return true;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
  }
}
