import { randomUUID } from "node:crypto";
import {
  BackendUnavailableError,
  ConflictError,
  checkServerAction,
  ImageNotFoundError,
  InstanceInvalidStateError,
  InvalidRequestError,
  type RebuildSpec,
  type RequestContext,
  type ServerLifecycleAction,
  type ServerRecord,
  type SnapshotSpec,
  type UnshelveSpec,
} from "@nova/api";
import { type Clock, hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase, InstanceChanges, InstanceRecord } from "@nova/db";
import { ImageNotFoundError as CatalogImageNotFound, type ImageStore } from "@nova/image-catalog";
import {
  hostZone,
  type ImageRecord,
  type KeyPair,
  KeyPairListCodec,
  type NovaObjectPrimitive,
  SERVER_ACTION_STATES,
} from "@nova/objects";
import type { ComputeAPI, ComputeTaskAPI, NovaContext } from "@nova/rpcapi";
import { inheritedImageProperties, systemMetadataFromImage } from "./image-system-metadata.js";
import type { LocatedServer } from "./server-updates.js";
import { serverRecord } from "./server-view.js";

/** What the lifecycle actions need from the backend that owns them. */
export interface ServerLifecycleDeps {
  /** The API database (request specs, aggregates, mappings). */
  apiDb: ApiDatabase;
  /** The image catalogue snapshots are created in (queued; the compute fills them). */
  images: ImageStore;
  /** The conductor's compute_task client (unshelve). */
  computeTask: ComputeTaskAPI;
  /** Time for soft-delete stamps. */
  clock: Clock;
  /** `[DEFAULT] default_availability_zone`. */
  defaultAvailabilityZone: string;
  /** Finds a server (InstanceNotFoundError if none). */
  locate(uuid: string): Promise<LocatedServer>;
  /** The server as the API shows it. */
  getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord>;
  /** The caller's key pair by name (KeyPairNotFoundError). */
  keyPair(userId: string, name: string): Promise<KeyPair>;
  /** The delete path (forceDelete is a delete under its own state rule). */
  deleteServer(ctx: RequestContext, uuid: string): Promise<void>;
  /** Whether the compute service on a host is up (a soft delete with the host down is done here). */
  computeUp(db: CellDatabase, host: string): Promise<boolean>;
  /** The RPC context of a request. */
  novaContext(ctx: RequestContext): NovaContext;
}

/** A server in its cell, with the compute client over that cell's broker. */
type Located = Omit<Extract<LocatedServer, { kind: "cell" }>, "kind">;

/** An action started: the row as the compute will get it, and how to put the task back if the cast fails. */
interface Started {
  db: CellDatabase;
  /** nova-compute's client over the instance's cell's broker. */
  compute: () => Promise<ComputeAPI>;
  before: InstanceRecord;
  updated: InstanceRecord;
  host: string;
}

/**
 * Nova's compute API for rebuild, shelve, rescue, snapshots and soft delete over the API and cell databases:
 * each checks the state rule (`checkServerAction`), sets its task state in one conditional write (expecting no
 * task), records the instance action, and casts to the instance's compute (unshelve to the conductor). A cast
 * that cannot be sent puts the task back and answers 503.
 */
export class ServerLifecycle {
  /** The lifecycle actions over the given databases, catalogue and RPC clients. */
  constructor(private readonly deps: ServerLifecycleDeps) {}

  /** Rebuild on the same host (as the lifecycle issue asks; Nova passes through the conductor). */
  async rebuildServer(ctx: RequestContext, uuid: string, spec: RebuildSpec): Promise<ServerRecord> {
    const found = await this.located(ctx, uuid, "rebuild");
    const { instance } = found;
    const image = await this.activeImage(spec.imageRef);
    const flavor = instance.flavor;
    if (flavor && flavor.memory_mb !== undefined && flavor.memory_mb < image.minRam) {
      throw new InvalidRequestError("Flavor's memory is too small for requested image.");
    }
    if (flavor?.root_gb && flavor.root_gb < image.minDisk) {
      throw new InvalidRequestError("Flavor's disk is too small for requested image.");
    }
    const changes: InstanceChanges = {
      image_ref: image.id,
      progress: 0,
      // Nova replaces the image_* system metadata with the new image's.
      system_metadata: {
        ...Object.fromEntries(
          Object.entries(instance.system_metadata ?? {}).filter(([k]) => !k.startsWith("image_")),
        ),
        ...systemMetadataFromImage(image),
        image_base_image_ref: image.id,
      },
    };
    if (spec.name !== undefined) changes.display_name = spec.name;
    if (spec.metadata !== undefined) changes.metadata = { ...spec.metadata };
    if (spec.description !== undefined) changes.display_description = spec.description;
    if (spec.accessIPv4 !== undefined) changes.access_ip_v4 = spec.accessIPv4;
    if (spec.accessIPv6 !== undefined) changes.access_ip_v6 = spec.accessIPv6;
    if (spec.autoDiskConfig !== undefined) changes.auto_disk_config = spec.autoDiskConfig;
    if (spec.hostname !== undefined) changes.hostname = spec.hostname;
    if (spec.userData !== undefined) changes.user_data = spec.userData;
    if (spec.keyName !== undefined) {
      // The caller's key (users own keys, projects own servers), as Nova's rebuild.
      const pair = spec.keyName === null ? null : await this.deps.keyPair(ctx.userId, spec.keyName);
      changes.key_name = pair?.name ?? null;
      changes.key_data = pair?.public_key ?? null;
      changes.keypairs = KeyPairListCodec.toPrimitive(pair ? [pair] : []) as InstanceRecord["keypairs"];
    }
    const started = await this.start(ctx, found, "rebuild", changes);
    await this.cast(started, ctx, (nctx, compute) =>
      compute.rebuildInstance(nctx, started.host, {
        instance: started.updated,
        new_pass: spec.adminPass,
        injected_files: spec.personality,
        image_ref: image.id,
        orig_image_ref: instance.image_ref ?? "",
        orig_sys_metadata: instance.system_metadata ?? {},
        preserve_ephemeral: spec.preserveEphemeral,
      }),
    );
    return this.deps.getServer(ctx, uuid);
  }

  /** Shelve: a queued `<name>-shelved` snapshot, then shelve_instance. */
  async shelveServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.located(ctx, uuid, "shelve");
    const { instance } = found;
    const imageId = await this.createImage(ctx, instance, `${instance.display_name ?? ""}-shelved`, {
      image_type: "snapshot",
    });
    const started = await this.start(ctx, found, "shelve", {
      system_metadata: {
        ...(instance.system_metadata ?? {}),
        image_base_image_ref: instance.image_ref ?? "",
      },
    }).catch(async (err: unknown) => {
      await this.deps.images.delete(imageId).catch(() => undefined);
      throw err;
    });
    await this.cast(
      started,
      ctx,
      (nctx, compute) => compute.shelveInstance(nctx, started.host, started.updated, imageId, true),
      imageId,
    );
  }

  /** Shelve offload (admin): shelve_offload_instance. */
  async shelveOffloadServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.located(ctx, uuid, "shelveOffload");
    const started = await this.start(ctx, found, "shelveOffload");
    await this.cast(started, ctx, (nctx, compute) =>
      compute.shelveOffloadInstance(nctx, started.host, started.updated, true),
    );
  }

  /**
   * Unshelve through the conductor. A zone or host may only be given for an offloaded server; the zone must
   * exist, the host must have a compute node and sit in the zone the server will be in; the request spec keeps
   * the zone (and the host as its requested destination) for the scheduler.
   */
  async unshelveServer(ctx: RequestContext, uuid: string, spec: UnshelveSpec): Promise<void> {
    const { apiDb } = this.deps;
    const found = await this.located(ctx, uuid, "unshelve");
    const { db, instance } = found;
    const azGiven = spec.availabilityZone !== undefined;
    if ((azGiven || spec.host) && instance.vm_state !== "shelved_offloaded") {
      throw new ConflictError(
        `The instance ${uuid} is in ${instance.vm_state} state, the availability_zone and/or host can only be specified when unshelving a shelved offloaded instance.`,
      );
    }
    const requestSpec = await apiDb.requestSpecs.getByInstanceUuid(uuid);
    const aggregates = azGiven || spec.host ? await apiDb.aggregates.list() : [];
    if (azGiven && spec.availabilityZone) {
      const zones = new Set<string>([this.deps.defaultAvailabilityZone]);
      for (const a of aggregates) if (a.metadata?.availability_zone) zones.add(a.metadata.availability_zone);
      if (!zones.has(spec.availabilityZone)) {
        throw new InvalidRequestError("The requested availability zone is not available");
      }
    }
    const expectedZone = azGiven ? (spec.availabilityZone ?? null) : (requestSpec.availability_zone ?? null);
    if (spec.host) {
      // The host is looked for in the instance's cell: unshelve does not move a server between cells.
      const nodes = await db.computeNodes.list({ host: spec.host });
      if (nodes.length === 0) throw new InvalidRequestError(`Compute host ${spec.host} could not be found.`);
      if (
        expectedZone !== null &&
        hostZone(aggregates, spec.host, this.deps.defaultAvailabilityZone) !== expectedZone
      ) {
        throw new ConflictError(`Host "${spec.host}" is not in the availability zone "${expectedZone}".`);
      }
    }
    const savedSpec = {
      ...requestSpec,
      instance_uuid: uuid,
      availability_zone: expectedZone,
      ...(spec.host ? { requested_destination: destination(spec.host) } : {}),
    };
    await apiDb.requestSpecs.save(savedSpec);
    const started = await this.start(ctx, found, "unshelve");
    await this.cast(started, ctx, (nctx) =>
      this.deps.computeTask.unshelveInstance(nctx, started.updated, savedSpec),
    );
  }

  /** Rescue: rescue_instance (an unknown rescue image is Nova's UnsupportedRescueImage, a 400). */
  async rescueServer(
    ctx: RequestContext,
    uuid: string,
    rescue: { adminPass: string; rescueImageRef: string | null },
  ): Promise<void> {
    const found = await this.located(ctx, uuid, "rescue");
    if (rescue.rescueImageRef) {
      await this.deps.images.get(rescue.rescueImageRef).catch((err: unknown) => {
        if (CatalogImageNotFound.isInstance(err)) {
          throw new InvalidRequestError(`Requested rescue image '${rescue.rescueImageRef}' is not supported`);
        }
        throw err;
      });
    }
    const started = await this.start(ctx, found, "rescue");
    await this.cast(started, ctx, (nctx, compute) =>
      compute.rescueInstance(
        nctx,
        started.host,
        started.updated,
        rescue.adminPass,
        rescue.rescueImageRef,
        true,
      ),
    );
  }

  /** Unrescue: unrescue_instance. */
  async unrescueServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.located(ctx, uuid, "unrescue");
    const started = await this.start(ctx, found, "unrescue");
    await this.cast(started, ctx, (nctx, compute) =>
      compute.unrescueInstance(nctx, started.host, started.updated),
    );
  }

  /** createImage: a queued snapshot image, then snapshot_instance. */
  async createServerImage(ctx: RequestContext, uuid: string, spec: SnapshotSpec): Promise<string> {
    const found = await this.located(ctx, uuid, "createImage");
    const { instance } = found;
    const imageId = await this.createImage(ctx, instance, spec.name, {
      ...spec.metadata,
      image_type: "snapshot",
    });
    const started = await this.start(ctx, found, "createImage").catch(async (err: unknown) => {
      await this.deps.images.delete(imageId).catch(() => undefined);
      throw err;
    });
    await this.cast(
      started,
      ctx,
      (nctx, compute) => compute.snapshotInstance(nctx, started.host, started.updated, imageId),
      imageId,
    );
    return imageId;
  }

  /** createBackup: a queued backup image, then backup_instance with the rotation. */
  async createServerBackup(
    ctx: RequestContext,
    uuid: string,
    spec: SnapshotSpec & { backupType: string; rotation: number },
  ): Promise<string> {
    const found = await this.located(ctx, uuid, "createBackup");
    const { instance } = found;
    const imageId = await this.createImage(ctx, instance, spec.name, {
      ...spec.metadata,
      image_type: "backup",
      backup_type: spec.backupType,
    });
    const started = await this.start(ctx, found, "createBackup").catch(async (err: unknown) => {
      await this.deps.images.delete(imageId).catch(() => undefined);
      throw err;
    });
    await this.cast(
      started,
      ctx,
      (nctx, compute) =>
        compute.backupInstance(nctx, started.host, started.updated, imageId, spec.backupType, spec.rotation),
      imageId,
    );
    return imageId;
  }

  /**
   * Soft delete: deleted_at stamped (the reclaim counts from it) and soft_delete_instance cast; with no host, or
   * its compute down, the row is soft-deleted here (Nova's local soft delete).
   */
  async softDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.located(ctx, uuid, "softDelete");
    const { db, instance } = found;
    const now = new Date(this.deps.clock.now());
    if (!instance.host || !(await this.deps.computeUp(db, instance.host))) {
      await this.update(db, instance, "softDelete", {
        vm_state: "soft-delete",
        task_state: null,
        deleted_at: now,
        terminated_at: now,
      });
      await this.recordAction(ctx, db, uuid, "softDelete");
      return;
    }
    const started = await this.start(ctx, found, "softDelete", { deleted_at: now });
    await this.cast(started, ctx, (nctx, compute) =>
      compute.softDeleteInstance(nctx, started.host, started.updated),
    );
  }

  /** Restore: restore_instance (or ACTIVE here when the server has no host), deleted_at cleared. */
  async restoreServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.located(ctx, uuid, "restore");
    const { db, instance } = found;
    if (!instance.host) {
      await this.update(db, instance, "restore", { vm_state: "active", task_state: null, deleted_at: null });
      await this.recordAction(ctx, db, uuid, "restore");
      return;
    }
    const started = await this.start(ctx, found, "restore", { deleted_at: null });
    await this.cast(started, ctx, (nctx, compute) =>
      compute.restoreInstance(nctx, started.host, started.updated),
    );
  }

  /** forceDelete: the delete, under force_delete's rule (any state, not while locked). */
  async forceDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    await this.located(ctx, uuid, "forceDelete");
    await this.deps.deleteServer(ctx, uuid);
  }

  // --- internals ---------------------------------------------------------------------------------------------

  /** The server in its cell, after the action's state rule (a build request is never in a state these take). */
  private async located(ctx: RequestContext, uuid: string, type: ServerLifecycleAction): Promise<Located> {
    const found = await this.deps.locate(uuid);
    checkServerAction(serverRecord(found.instance), { type }, { isAdmin: ctx.isAdmin });
    if (found.kind === "build") {
      throw new InstanceInvalidStateError(uuid, "vm_state", "building", SERVER_ACTION_STATES[type].method);
    }
    return { db: found.db, instance: found.instance, compute: found.compute };
  }

  private async update(
    db: CellDatabase,
    instance: InstanceRecord,
    type: ServerLifecycleAction,
    changes: InstanceChanges,
  ): Promise<InstanceRecord> {
    const rule = SERVER_ACTION_STATES[type];
    return db.instances
      .update(instance.uuid, changes, {
        ...(rule.taskStates ? { expectedTaskState: rule.taskStates } : {}),
        ...(rule.vmStates ? { expectedVmState: rule.vmStates } : {}),
      })
      .catch((err: unknown) => {
        if (hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE") || hasErrorCode(err, "DB_UNEXPECTED_VM_STATE")) {
          throw new InstanceInvalidStateError(
            instance.uuid,
            "task_state",
            instance.task_state ?? null,
            rule.method,
          );
        }
        throw err;
      });
  }

  private async start(
    ctx: RequestContext,
    { db, instance, compute }: Located,
    type: ServerLifecycleAction,
    changes: InstanceChanges = {},
  ): Promise<Started> {
    const rule = SERVER_ACTION_STATES[type];
    const updated = await this.update(db, instance, type, { ...changes, task_state: rule.task });
    await this.recordAction(ctx, db, instance.uuid, type);
    return { db, compute, before: instance, updated, host: instance.host ?? "" };
  }

  // The compute records its events under this request's action, as Nova's API creates it first.
  private async recordAction(
    ctx: RequestContext,
    db: CellDatabase,
    uuid: string,
    type: ServerLifecycleAction,
  ) {
    await db.actions
      .start({
        instance_uuid: uuid,
        action: SERVER_ACTION_STATES[type].action,
        request_id: ctx.requestId,
        user_id: ctx.userId,
        project_id: ctx.projectId,
      })
      .catch(() => undefined);
  }

  /** Sends the cast; when it cannot leave, the task goes back, the queued image goes, and the answer is 503. */
  private async cast(
    started: Started,
    ctx: RequestContext,
    send: (nctx: NovaContext, compute: ComputeAPI) => Promise<void>,
    imageId?: string,
  ): Promise<void> {
    try {
      await send(this.deps.novaContext(ctx), await started.compute());
    } catch (err) {
      await started.db.instances
        .update(started.before.uuid, { task_state: started.before.task_state ?? null })
        .catch(() => undefined);
      if (imageId) await this.deps.images.delete(imageId).catch(() => undefined);
      throw new BackendUnavailableError(undefined, { cause: err });
    }
  }

  private async activeImage(imageRef: string): Promise<ImageRecord> {
    const image = await this.deps.images.get(imageRef).catch((err: unknown) => {
      if (CatalogImageNotFound.isInstance(err)) throw new ImageNotFoundError(imageRef);
      throw err;
    });
    if (image.status !== "active") throw new InvalidRequestError(`Image ${image.id} is not active.`);
    return image;
  }

  /** Nova's compute_utils.create_image: a queued image recording where it came from. */
  private async createImage(
    ctx: RequestContext,
    instance: InstanceRecord,
    name: string,
    properties: Record<string, string>,
  ): Promise<string> {
    const id = randomUUID();
    const minRam = Number.parseInt(instance.system_metadata?.image_min_ram ?? "0", 10) || 0;
    const minDisk = Math.max(
      instance.flavor?.root_gb ?? instance.root_gb ?? 0,
      Number.parseInt(instance.system_metadata?.image_min_disk ?? "0", 10) || 0,
    );
    await this.deps.images.create({
      id,
      name,
      status: "queued",
      min_ram: minRam,
      min_disk: minDisk,
      size: null,
      properties: {
        ...inheritedImageProperties(instance.system_metadata),
        ...properties,
        instance_uuid: instance.uuid,
        user_id: ctx.userId,
        base_image_ref: instance.image_ref ?? "",
        owner_id: instance.project_id ?? ctx.projectId,
      },
    });
    return id;
  }
}

/** A requested destination (Nova's Destination object) naming only a host. */
function destination(host: string): NovaObjectPrimitive {
  return {
    "nova_object.name": "Destination",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.4",
    "nova_object.data": { host, node: null },
    "nova_object.changes": ["host", "node"],
  };
}
