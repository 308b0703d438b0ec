import type { LifecycleListener } from "./lifecycle-event.js";
import type { FinishMigrationRequest } from "./migration-requests.js";
import type { AvailableResource } from "./model/available-resource.js";
import type { DriverFlavor } from "./model/flavor.js";
import type { ImageMeta } from "./model/image-meta.js";
import type { DriverInstance, InstanceRef } from "./model/instance.js";
import type { InstanceInfo } from "./model/instance-info.js";
import type { NetworkInfo } from "./model/network-info.js";

/** A file to place into the guest (Nova's injected files / personality). */
export interface InjectedFile {
  /** Where the file goes in the guest. */
  readonly path: string;
  /** The file's bytes. */
  readonly contents: Uint8Array;
}

/** Everything spawn needs, as Nova's `spawn(context, instance, image_meta, injected_files, ...)`. */
export interface SpawnRequest {
  /** The guest to create. */
  readonly instance: DriverInstance;
  /** The image it boots from. */
  readonly imageMeta: ImageMeta;
  /** The guest's NICs; none when omitted. */
  readonly networkInfo?: NetworkInfo;
  /** Files to place into the guest. */
  readonly injectedFiles?: readonly InjectedFile[];
  /** The admin password to set in the guest, when the driver can. */
  readonly adminPassword?: string;
  /** Start the guest once created (default true); false leaves it defined and shut off. */
  readonly powerOn?: boolean;
}

/** Options of destroy. */
export interface DestroyOptions {
  /** The guest's NICs, to unplug. */
  readonly networkInfo?: NetworkInfo;
  /** Remove the guest's disks too (default true). */
  readonly destroyDisks?: boolean;
}

/** Soft asks the guest to reboot itself (falls back to hard after a timeout); hard resets it. */
export type RebootType = "SOFT" | "HARD";

/** Options of reboot. */
export interface RebootOptions {
  /** The guest's NICs, plugged again on a hard reboot. */
  readonly networkInfo?: NetworkInfo;
}

/** Options of power off, as Nova's `power_off(instance, timeout, retry_interval)`. */
export interface PowerOffOptions {
  /** Seconds to wait for a graceful (ACPI) shutdown before forcing it; 0 forces at once (default 0). */
  readonly timeoutSeconds?: number;
  /** Seconds between repeated shutdown requests while waiting (default 10, Nova's SHUTDOWN_RETRY_INTERVAL). */
  readonly retryIntervalSeconds?: number;
}

/** Options of power on and resume. */
export interface PowerOnOptions {
  /** The guest's NICs, plugged again before it starts. */
  readonly networkInfo?: NetworkInfo;
}

/** A step of a snapshot the compute records as the instance's task state (Nova's update_task_state). */
export type SnapshotStep = "pending_upload" | "uploading";

/** What a snapshot takes: the catalogue image to fill and a hook for the task state steps. */
export interface SnapshotRequest {
  /** The image record (created by the API, status `queued`) the snapshot becomes. */
  readonly imageId: string;
  /** Called as the snapshot reaches each step; the compute saves the matching task state. */
  readonly onStep?: (step: SnapshotStep) => Promise<void>;
}

/** What a snapshot produced: the compute records it in the image catalogue (Glance's upload in Nova). */
export interface SnapshotResult {
  /** `qcow2`, `raw`, ... */
  readonly diskFormat: string;
  /** `bare` for a plain disk image. */
  readonly containerFormat: string;
  /** Bytes, when known. */
  readonly size: number | null;
  /** A local file holding the image, for drivers that write one (libvirt); none for the fake driver. */
  readonly file?: string;
}

/** What a rescue takes (Nova's rescue(context, instance, network_info, image_meta, rescue_password, ...)). */
export interface RescueRequest {
  /** The image the rescue guest boots from. */
  readonly imageMeta: ImageMeta;
  /** The admin password to set in the rescue guest. */
  readonly rescuePassword?: string;
}

/**
 * What nova-compute needs from a hypervisor (Nova's `nova.virt.driver.ComputeDriver`, the verbs of the boot
 * and server-action flows). Every method is async; failures are VirtError subclasses with stable codes where the
 * cause is known. Destroy is idempotent: destroying a guest that is not there succeeds.
 */
export interface ComputeDriver {
  /** Connects to the hypervisor and prepares the host; called once before anything else. */
  initHost(host: string): Promise<void>;
  /** Closes connections and stops background work; the driver is unusable afterwards. */
  close(): Promise<void>;
  /** The node names this driver manages (one for libvirt and the fake driver). */
  getAvailableNodes(): Promise<string[]>;

  /** Creates and (unless `powerOn` is false) starts the guest. */
  spawn(request: SpawnRequest): Promise<void>;
  /** Stops the guest, undefines it and (by default) removes its disks; no error when it is already gone. */
  destroy(instance: InstanceRef, options?: DestroyOptions): Promise<void>;
  /** Reboots the guest: SOFT asks the guest (then HARD if it does not), HARD resets it. */
  reboot(instance: InstanceRef, type: RebootType, options?: RebootOptions): Promise<void>;
  /** Powers the guest off, gracefully within `timeoutSeconds` and by force after; no error when already off. */
  powerOff(instance: InstanceRef, options?: PowerOffOptions): Promise<void>;
  /** Powers the guest on from any state. */
  powerOn(instance: InstanceRef, options?: PowerOnOptions): Promise<void>;
  /** Freezes a running guest in memory. */
  pause(instance: InstanceRef): Promise<void>;
  /** Continues a paused guest. */
  unpause(instance: InstanceRef): Promise<void>;
  /** Saves a running or paused guest's memory to disk and stops it. */
  suspend(instance: InstanceRef): Promise<void>;
  /** Restores a suspended guest. */
  resume(instance: InstanceRef, options?: PowerOnOptions): Promise<void>;

  // Resize and cold migration (Nova's migrate_disk_and_power_off, finish_migration, confirm_migration,
  // finish_revert_migration), and the destination's own check in prep_resize.
  /** On the destination: checks it can take the guest at `flavor` (the claim step of prep_resize). */
  prepResize(instance: DriverInstance, flavor: DriverFlavor): Promise<void>;
  /**
   * On the source: powers the guest off and moves its disks towards `destHost`, keeping what a revert needs;
   * answers the disk info the destination's finishMigration takes.
   */
  migrateDiskAndPowerOff(
    instance: DriverInstance,
    destHost: string,
    flavor: DriverFlavor,
    options?: PowerOffOptions,
  ): Promise<string>;
  /** On the destination: defines (and, with `powerOn`, starts) the moved guest at its new size. */
  finishMigration(request: FinishMigrationRequest): Promise<void>;
  /** On the source, once the user keeps the move: removes what was kept for a revert. */
  confirmMigration(instance: DriverInstance): Promise<void>;
  /** On the source, after the destination dropped its copy: brings the original guest back. */
  finishRevertMigration(instance: DriverInstance, powerOn: boolean): Promise<void>;

  /** The guest's power state and figures; InstanceNotFoundError when it is not on the hypervisor. */
  getInfo(instance: InstanceRef): Promise<InstanceInfo>;
  /** True when the hypervisor has the guest. */
  instanceExists(instance: InstanceRef): Promise<boolean>;
  /** The hypervisor-side names of every guest on this host. */
  listInstances(): Promise<string[]>;
  /** The uuids of every guest on this host. */
  listInstanceUuids(): Promise<string[]>;
  /** The tail of the guest's serial console log (at most 100 KiB, as Nova). */
  getConsoleOutput(instance: InstanceRef): Promise<string>;
  /** The host's capacity and usage for the resource tracker. */
  getAvailableResource(nodename: string): Promise<AvailableResource>;

  // Lifecycle verbs a driver may lack (Nova's NotImplementedError): the compute answers
  // OperationNotSupportedError for a missing one, and falls back as Nova does where Nova has a fallback
  // (rebuild: destroy + spawn; soft delete and restore: power off and on).
  /** Writes the guest's disk as an image (the guest keeps running). */
  snapshot?(instance: InstanceRef, request: SnapshotRequest): Promise<SnapshotResult>;
  /** Boots the guest from a rescue image with its own disk attached; the guest's own domain is kept aside. */
  rescue?(instance: DriverInstance, request: RescueRequest): Promise<void>;
  /** Ends a rescue: the rescue guest goes, the original guest is started again. */
  unrescue?(instance: InstanceRef): Promise<void>;

  // Live migration (Nova's check_can_live_migrate_*, pre_live_migration, live_migration,
  // post_live_migration_at_destination, rollback_live_migration_at_destination, live_migration_force_complete,
  // live_migration_abort). Optional: the compute answers OperationNotSupportedError for a driver without them.
  /** On the destination: whether it can take the guest; answers what the source's check needs. */
  checkCanLiveMigrateDestination?(
    instance: DriverInstance,
    options: { blockMigration: boolean | null },
  ): Promise<Record<string, unknown>>;
  /** On the source: whether the guest can leave for the destination that answered `destCheckData`. */
  checkCanLiveMigrateSource?(
    instance: InstanceRef,
    destCheckData: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /** On the destination: gets ready for the incoming guest (disks, networks); answers the migrate data. */
  preLiveMigration?(
    instance: DriverInstance,
    migrateData: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /**
   * On the source: moves the running guest to `dest` and resolves once it runs there (it is gone from here).
   * LiveMigrationAbortedError when liveMigrationAbort stopped it; any other error leaves the guest running here.
   */
  liveMigration?(instance: DriverInstance, dest: string, migrateData: Record<string, unknown>): Promise<void>;
  /** On the source: makes the running migration finish now (libvirt pauses the guest or switches to post-copy). */
  liveMigrationForceComplete?(instance: InstanceRef): Promise<void>;
  /** On the source: stops the running migration; the guest stays here. */
  liveMigrationAbort?(instance: InstanceRef): Promise<void>;
  /** On the destination, once the guest runs here: takes it as its own. */
  postLiveMigrationAtDestination?(instance: DriverInstance): Promise<void>;
  /** On the destination, after a migration that did not happen: drops what preLiveMigration made. */
  rollbackLiveMigrationAtDestination?(instance: InstanceRef): Promise<void>;

  /** Subscribes to lifecycle events (guests starting, stopping, pausing, ...); returns the unsubscribe. */
  registerEventListener(listener: LifecycleListener): () => void;
}
