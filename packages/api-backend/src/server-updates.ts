import {
  checkMetadataChange,
  InstanceInvalidStateError,
  InstanceNotFoundError,
  lockedByFor,
  MAX_SERVER_TAGS,
  type RequestContext,
  type ServerRecord,
  type ServerTagAdd,
  type ServerUpdate,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase, InstanceChanges, InstanceRecord } from "@nova/db";
import type { Instance } from "@nova/objects";
import type { ComputeAPI } from "@nova/rpcapi";
import { serverRecord } from "./server-view.js";

/** Where a server is: still a build request in the API database, or an instance row in a cell. */
export type LocatedServer =
  | { kind: "build"; instance: Partial<Instance> & { uuid: string } }
  | {
      kind: "cell";
      db: CellDatabase;
      instance: InstanceRecord;
      /** nova-compute's client over the cell's broker, opened when an action needs it. */
      compute: () => Promise<ComputeAPI>;
    };

/** What server updates need from the backend that owns them. */
export interface ServerUpdatesDeps {
  /** The API database (build requests). */
  apiDb: ApiDatabase;
  /** Finds a server (InstanceNotFoundError if none). */
  locate(uuid: string): Promise<LocatedServer>;
  /** The server as the API shows it, after a change. */
  getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord>;
}

/**
 * Nova's compute API for changes that are not actions (update_instance, instance metadata, tags, lock and
 * unlock) over the API and cell databases: each is one conditional write, no RPC.
 */
export class ServerUpdates {
  /** Server updates over the given databases and lookups. */
  constructor(private readonly deps: ServerUpdatesDeps) {}

  /** Saves name, description, hostname, access addresses and disk config (the build request's copy while building). */
  async updateServer(ctx: RequestContext, uuid: string, changes: ServerUpdate): Promise<ServerRecord> {
    const columns: InstanceChanges = {};
    if (changes.name !== undefined) columns.display_name = changes.name;
    if (changes.description !== undefined) columns.display_description = changes.description;
    if (changes.hostname !== undefined) columns.hostname = changes.hostname;
    if (changes.accessIPv4 !== undefined) columns.access_ip_v4 = changes.accessIPv4;
    if (changes.accessIPv6 !== undefined) columns.access_ip_v6 = changes.accessIPv6;
    if (changes.autoDiskConfig !== undefined) columns.auto_disk_config = changes.autoDiskConfig;
    // Twice at most: the conductor may move a build request into a cell between the read and the write.
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await this.deps.locate(uuid);
      if (found.kind === "cell") {
        await found.db.instances.update(uuid, columns).catch(notFoundAsInstance(uuid));
        return this.deps.getServer(ctx, uuid);
      }
      const saved = await this.deps.apiDb.buildRequests.saveInstance(uuid, {
        ...found.instance,
        ...columns,
      } as Instance);
      if (saved) return this.deps.getServer(ctx, uuid);
    }
    throw new InstanceNotFoundError(uuid);
  }

  /** Merges or replaces metadata after the lock and state checks; the write expects no task to have started. */
  async updateServerMetadata(
    ctx: RequestContext,
    uuid: string,
    metadata: Record<string, string>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    const { db, instance } = await this.changeable(ctx, uuid, "update_instance_metadata");
    const merged = replace ? { ...metadata } : { ...(instance.metadata ?? {}), ...metadata };
    await this.save(db, instance, { metadata: merged }, "update_instance_metadata");
    return merged;
  }

  /** Removes one metadata key after the same checks; false when it is not there. */
  async deleteServerMetadataItem(ctx: RequestContext, uuid: string, key: string): Promise<boolean> {
    const { db, instance } = await this.changeable(ctx, uuid, "delete_instance_metadata");
    const metadata = { ...(instance.metadata ?? {}) };
    if (!Object.hasOwn(metadata, key)) return false;
    delete metadata[key];
    await this.save(db, instance, { metadata }, "delete_instance_metadata");
    return true;
  }

  /** Replaces the server's tags. */
  async replaceServerTags(_ctx: RequestContext, uuid: string, tags: readonly string[]): Promise<string[]> {
    const db = await this.cellOf(uuid, "update tags");
    return db.tags.replace(uuid, tags);
  }

  /** Adds a tag unless present or at Nova's 50. */
  async addServerTag(_ctx: RequestContext, uuid: string, tag: string): Promise<ServerTagAdd> {
    const db = await this.cellOf(uuid, "update tag");
    return db.tags.add(uuid, tag, MAX_SERVER_TAGS);
  }

  /** Removes one tag. */
  async deleteServerTag(_ctx: RequestContext, uuid: string, tag: string): Promise<boolean> {
    const db = await this.cellOf(uuid, "delete tag");
    return db.tags.delete(uuid, tag);
  }

  /** Removes every tag. */
  async deleteServerTags(_ctx: RequestContext, uuid: string): Promise<void> {
    const db = await this.cellOf(uuid, "delete tags");
    await db.tags.deleteAll(uuid);
  }

  /** Nova's lock: `locked_by` owner or admin, the reason in system metadata; an owner's re-lock changes nothing. */
  async lockServer(ctx: RequestContext, uuid: string, reason: string | null): Promise<void> {
    const found = await this.deps.locate(uuid);
    if (found.kind === "build") throw new InstanceInvalidStateError(uuid, "vm_state", "building", "lock");
    const { db, instance } = found;
    const lockedBy = lockedByFor(serverRecord(instance), ctx.projectId);
    if (instance.locked && lockedBy === "owner") return;
    const changes: InstanceChanges = { locked: true, locked_by: lockedBy };
    if (reason) changes.system_metadata = { ...(instance.system_metadata ?? {}), locked_reason: reason };
    await db.instances.update(uuid, changes).catch(notFoundAsInstance(uuid));
    await this.recordAction(ctx, db, uuid, "lock");
  }

  /** Nova's unlock: clears `locked`, `locked_by` and the reason. */
  async unlockServer(ctx: RequestContext, uuid: string): Promise<void> {
    const found = await this.deps.locate(uuid);
    if (found.kind === "build") throw new InstanceInvalidStateError(uuid, "vm_state", "building", "unlock");
    const { db, instance } = found;
    const changes: InstanceChanges = { locked: false, locked_by: null };
    const system = { ...(instance.system_metadata ?? {}) };
    if (Object.hasOwn(system, "locked_reason")) {
      delete system.locked_reason;
      changes.system_metadata = system;
    }
    await db.instances.update(uuid, changes).catch(notFoundAsInstance(uuid));
    await this.recordAction(ctx, db, uuid, "unlock");
  }

  // A cell instance the metadata may change on now (build requests are BUILDING: refused).
  private async changeable(
    ctx: RequestContext,
    uuid: string,
    method: "update_instance_metadata" | "delete_instance_metadata",
  ): Promise<{ db: CellDatabase; instance: InstanceRecord }> {
    const found = await this.deps.locate(uuid);
    checkMetadataChange(serverRecord(found.instance), method, { isAdmin: ctx.isAdmin });
    if (found.kind === "build") throw new InstanceInvalidStateError(uuid, "vm_state", "building", method);
    return found;
  }

  private async save(
    db: CellDatabase,
    instance: InstanceRecord,
    changes: InstanceChanges,
    method: string,
  ): Promise<void> {
    await db.instances.update(instance.uuid, changes, { expectedTaskState: null }).catch((err: unknown) => {
      if (hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE")) {
        throw new InstanceInvalidStateError(instance.uuid, "task_state", "busy", method);
      }
      return notFoundAsInstance(instance.uuid)(err);
    });
  }

  // The tags API's state rule is the API's (vm_state); here only where the tags live: a cell.
  private async cellOf(uuid: string, method: string): Promise<CellDatabase> {
    const found = await this.deps.locate(uuid);
    if (found.kind === "build") throw new InstanceInvalidStateError(uuid, "vm_state", "building", method);
    return found.db;
  }

  private async recordAction(ctx: RequestContext, db: CellDatabase, uuid: string, action: string) {
    await db.actions
      .start({
        instance_uuid: uuid,
        action,
        request_id: ctx.requestId,
        user_id: ctx.userId,
        project_id: ctx.projectId,
      })
      .catch(() => undefined);
  }
}

function notFoundAsInstance(uuid: string): (err: unknown) => never {
  return (err) => {
    if (hasErrorCode(err, "DB_NOT_FOUND")) throw new InstanceNotFoundError(uuid);
    throw err;
  };
}
