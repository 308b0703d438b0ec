import { hasErrorCode, type Logger } from "@nova/core";
import type {
  ApiDatabase,
  CellDatabase,
  ComputeNodeChanges,
  ComputeNodeCreate,
  UnexpectedTaskStateError as DbUnexpectedTaskStateError,
  UnexpectedVmStateError as DbUnexpectedVmStateError,
  InstanceChanges,
  InstanceExpectations,
  ServiceChanges,
} from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  ComputeNodeCodec,
  ComputeNodeListCodec,
  InstanceActionEventCodec,
  InstanceCodec,
  InstanceFaultCodec,
  InstanceGroupCodec,
  InstanceListCodec,
  isNovaObjectPrimitive,
  objectChanges,
  ServiceCodec,
  type TaskState,
  type VmState,
  WireFormatError,
} from "@nova/objects";
import {
  CONDUCTOR_API_VERSION,
  CONDUCTOR_OBJECT_METHODS,
  ComputeHostNotFound,
  fromWireContext,
  InstanceNotFound,
  ServiceNotFound,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
} from "@nova/rpcapi";
import { type HeartbeatRecorder, recordServiceSaveHeartbeat, ServiceNotFoundError } from "@nova/servicegroup";
import { InstanceActionNotFound } from "./errors/instance-action-not-found.js";
import { ObjectActionError } from "./errors/object-action-error.js";
import { ServiceBinaryExists } from "./errors/service-exists-error.js";
import { UnexpectedVMStateError } from "./errors/unexpected-vm-state-error.js";
import { releaseWhenOffloaded } from "./instance-claims.js";
import { instanceGroupByHint, memberHosts } from "./instance-groups.js";
import { releaseForDestroyedInstance } from "./migration-claims.js";
import { migrationsByFilters, saveMigration, unconfirmedMigrations } from "./migration-objects.js";
import { bindArguments, objectUpdates, requireString } from "./object-updates.js";

/** Dependencies of a {@link ConductorObjectManager}. */
export interface ConductorObjectManagerOptions {
  /** The cell database the calling computes live in. */
  cellDb: CellDatabase;
  /** The API database (server groups); without it InstanceGroup.get_by_hint finds no group. */
  apiDb?: ApiDatabase;
  /** Records Service.save heartbeats in batches. */
  recorder: HeartbeatRecorder;
  /** Where refused or failed object methods are logged. */
  logger: Logger;
}

const SERVICE_SAVE_FIELDS = [
  "disabled",
  "disabled_reason",
  "forced_down",
  "version",
  "report_count",
  "topic",
];
const COMPUTE_NODE_FIXED = new Set(["id", "uuid", "deleted", "deleted_at", "created_at", "updated_at"]);
// Instance fields kept in other tables or computed (Nova saves info_cache, tags, ... through their own objects).
const INSTANCE_NOT_STORED = new Set([
  "id",
  "uuid",
  "deleted",
  "deleted_at",
  "created_at",
  "updated_at",
  "services",
  "info_cache",
  "security_groups",
  "fault",
  "pci_devices",
  "tags",
  "ec2_ids",
]);
const FLAVOR_FIELDS = ["flavor", "old_flavor", "new_flavor"] as const;

// Nova's Instance._save_flavor writes the three flavors together, from the object, whenever one changed: when the
// object carries all three, so do we, and the repository need not read the stored blob to merge one in.
function withAllFlavors(instance: Record<string, unknown>, changed: string[]): string[] {
  if (!FLAVOR_FIELDS.some((f) => changed.includes(f))) return changed;
  if (FLAVOR_FIELDS.some((f) => instance[f] === undefined)) return changed;
  return [...new Set([...changed, ...FLAVOR_FIELDS])];
}

// Nested objects the repository loads: Nova's save reloads only columns and metadata, so only those go back.
const INSTANCE_REPLY_SKIPPED = new Set([
  "flavor",
  "old_flavor",
  "new_flavor",
  "fault",
  "keypairs",
  "numa_topology",
  "pci_requests",
  "vcpu_model",
  "migration_context",
  "device_metadata",
  "trusted_certs",
  "resources",
]);

type ObjectActionReply = [Record<string, unknown>, unknown];

function asStateList<T extends string>(v: unknown, what: string): (T | null)[] {
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    if (s !== null && typeof s !== "string")
      throw new ObjectActionError("Instance.save", `${what} must be strings`);
  }
  return list as (T | null)[];
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}

/**
 * The conductor's base API (version 3.0): the remotable object methods computes call instead of touching
 * the database (`object_action`, `object_class_action_versions`), exactly those in CONDUCTOR_OBJECT_METHODS.
 * Replies have Nova's shapes: `[updates, result]` for object_action, a primitive (or null) for class
 * methods. Bad requests raise ObjectActionError back to the caller; they never reach the database.
 */
export class ConductorObjectManager {
  /** A manager over the cell database; it serves computes once its endpoint is on an RPC server. */
  constructor(private readonly opts: ConductorObjectManagerOptions) {}

  /** The RPC endpoint serving these methods (no namespace, version 3.0). */
  endpoint(): RpcEndpoint {
    return {
      version: CONDUCTOR_API_VERSION,
      methods: {
        object_action: (ctx, args) => this.objectAction(ctx, args),
        object_class_action_versions: (ctx, args) => this.objectClassActionVersions(ctx, args),
      },
    };
  }

  /** `object_action(objinst, objmethod, args, kwargs)`: runs a method on the caller's object. */
  async objectAction(_ctx: RequestContext, rawArgs: unknown): Promise<ObjectActionReply> {
    const a = (rawArgs ?? {}) as Record<string, unknown>;
    const objinst = a.objinst;
    const objmethod = a.objmethod;
    if (!isNovaObjectPrimitive(objinst)) {
      throw new ObjectActionError(String(objmethod), "objinst is not a Nova object primitive");
    }
    if (typeof objmethod !== "string") throw new ObjectActionError("?", "objmethod must be a string");
    const action = `${objinst["nova_object.name"]}.${objmethod}`;
    if (!(CONDUCTOR_OBJECT_METHODS.object_action as readonly string[]).includes(action)) {
      throw new ObjectActionError(action, "this conductor does not serve that method");
    }
    const args = a.args ?? [];
    const kwargs = a.kwargs ?? {};
    if (!Array.isArray(args)) throw new ObjectActionError(action, "args must be a list");
    if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) {
      throw new ObjectActionError(action, "kwargs must be a dict");
    }
    return this.decoding(action, () => {
      switch (action) {
        case "Service.save":
          return this.serviceSave(objinst);
        case "Service.create":
          return this.serviceCreate(objinst);
        case "ComputeNode.create":
          return this.computeNodeCreate(objinst);
        case "ComputeNode.save":
          return this.computeNodeSave(objinst);
        case "Instance.save":
          return this.instanceSave(
            objinst,
            bindArguments(
              action,
              ["expected_vm_state", "expected_task_state", "admin_state_reset"],
              args,
              kwargs as Record<string, unknown>,
            ),
          );
        case "InstanceFault.create":
          return this.instanceFaultCreate(objinst);
        case "InstanceGroup.get_hosts":
          return this.instanceGroupGetHosts(
            objinst,
            bindArguments(action, ["exclude"], args, kwargs as Record<string, unknown>),
          );
        case "Migration.save":
          return saveMigration(this.opts.cellDb, objinst, this.opts.logger);
        default:
          return this.instanceDestroy(objinst);
      }
    });
  }

  /** `object_class_action_versions(objname, objmethod, object_versions, args, kwargs)`. */
  async objectClassActionVersions(rawCtx: RequestContext, rawArgs: unknown): Promise<unknown> {
    const a = (rawArgs ?? {}) as Record<string, unknown>;
    const { objname, objmethod } = a;
    if (typeof objname !== "string" || typeof objmethod !== "string") {
      throw new ObjectActionError("?", "objname and objmethod must be strings");
    }
    const action = `${objname}.${objmethod}`;
    if (!(CONDUCTOR_OBJECT_METHODS.object_class_action_versions as readonly string[]).includes(action)) {
      throw new ObjectActionError(action, "this conductor does not serve that method");
    }
    const versions = a.object_versions ?? {};
    if (typeof versions !== "object" || versions === null || Array.isArray(versions)) {
      throw new ObjectActionError(action, "object_versions must be a dict");
    }
    const args = a.args ?? [];
    const kwargs = a.kwargs ?? {};
    if (!Array.isArray(args)) throw new ObjectActionError(action, "args must be a list");
    if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) {
      throw new ObjectActionError(action, "kwargs must be a dict");
    }
    const kw = kwargs as Record<string, unknown>;
    const { cellDb } = this.opts;
    switch (action) {
      case "Service.get_by_host_and_binary": {
        const b = bindArguments(action, ["host", "binary"], args, kw);
        const host = requireString(action, b, "host");
        const binary = requireString(action, b, "binary");
        try {
          return ServiceCodec.toPrimitive(await cellDb.services.getByHostAndBinary(host, binary));
        } catch (err) {
          // Nova answers None for a service that has not registered yet.
          if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
          throw err;
        }
      }
      case "Service.get_by_compute_host": {
        const host = requireString(action, bindArguments(action, ["host", "use_slave"], args, kw), "host");
        try {
          return ServiceCodec.toPrimitive(await cellDb.services.getByComputeHost(host));
        } catch (err) {
          if (hasErrorCode(err, "DB_NOT_FOUND")) throw new ComputeHostNotFound({ host });
          throw err;
        }
      }
      case "ComputeNodeList.get_all_by_host": {
        const host = requireString(action, bindArguments(action, ["host", "use_slave"], args, kw), "host");
        // Nova raises ComputeHostNotFound for none; every caller (Nova's own too) reads that as an empty list.
        return ComputeNodeListCodec.toPrimitive(await cellDb.computeNodes.list({ host }));
      }
      case "Instance.get_by_uuid": {
        const b = bindArguments(action, ["instance_uuid", "expected_attrs", "use_slave"], args, kw);
        const uuid = requireString(action, b, "instance_uuid");
        try {
          return InstanceCodec.toPrimitive(await cellDb.instances.get(uuid));
        } catch (err) {
          throw instanceError(err, uuid);
        }
      }
      case "InstanceList.get_by_host": {
        const b = bindArguments(action, ["host", "expected_attrs", "use_slave"], args, kw);
        const host = requireString(action, b, "host");
        return InstanceListCodec.toPrimitive(await cellDb.instances.listByHost(host));
      }
      case "InstanceGroup.get_by_hint": {
        const hint = requireString(action, bindArguments(action, ["hint"], args, kw), "hint");
        return instanceGroupByHint(this.opts.apiDb, hint);
      }
      case "MigrationList.get_unconfirmed_by_dest_compute": {
        const b = bindArguments(action, ["confirm_window", "dest_compute", "use_slave"], args, kw);
        return unconfirmedMigrations(cellDb, b.confirm_window, requireString(action, b, "dest_compute"));
      }
      case "MigrationList.get_by_filters": {
        const b = bindArguments(action, ["filters"], args, kw);
        return migrationsByFilters(cellDb, b.filters);
      }
      case "InstanceActionEvent.event_start": {
        const b = bindArguments(action, ["instance_uuid", "event_name", "want_result", "host"], args, kw);
        const uuid = requireString(action, b, "instance_uuid");
        const event = requireString(action, b, "event_name");
        const host = typeof b.host === "string" ? b.host : null;
        const requestId = fromWireContext(rawCtx).request_id;
        // Computes send want_result=False: then the event is written without being read back.
        if (b.want_result === false) {
          await this.withAction(uuid, requestId, () =>
            cellDb.actions.recordEventStart(uuid, requestId, event, host),
          );
          return null;
        }
        const ev = await this.withAction(uuid, requestId, () =>
          cellDb.actions.eventStart(uuid, requestId, event, host),
        );
        return InstanceActionEventCodec.toPrimitive(ev);
      }
      default: {
        const b = bindArguments(
          action,
          ["instance_uuid", "event_name", "exc_val", "exc_tb", "want_result"],
          args,
          kw,
        );
        const uuid = requireString(action, b, "instance_uuid");
        const event = requireString(action, b, "event_name");
        const requestId = fromWireContext(rawCtx).request_id;
        const failed = b.exc_val !== null && b.exc_val !== undefined;
        const outcome = {
          result: failed ? "Error" : "Success",
          details: failed ? String(b.exc_val) : null,
          traceback: typeof b.exc_tb === "string" ? b.exc_tb : null,
        } as const;
        if (b.want_result === false) {
          await this.withAction(uuid, requestId, () =>
            cellDb.actions.recordEventFinish(uuid, requestId, event, outcome),
          );
          return null;
        }
        const ev = await this.withAction(uuid, requestId, () =>
          cellDb.actions.eventFinish(uuid, requestId, event, outcome),
        );
        return InstanceActionEventCodec.toPrimitive(ev);
      }
    }
  }

  private async withAction<T>(uuid: string, requestId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) {
        throw new InstanceActionNotFound({ request_id: requestId, instance_uuid: uuid });
      }
      throw err;
    }
  }

  // A primitive that does not decode is the caller's mistake: say so instead of failing somewhere deeper.
  private async decoding<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WireFormatError) throw new ObjectActionError(action, err.message);
      throw err;
    }
  }

  private async instanceGroupGetHosts(
    objinst: unknown,
    b: Record<string, unknown>,
  ): Promise<ObjectActionReply> {
    const group = InstanceGroupCodec.fromPrimitive(objinst, "objinst");
    const exclude = Array.isArray(b.exclude)
      ? b.exclude.filter((u): u is string => typeof u === "string")
      : [];
    return [{}, await memberHosts([this.opts.cellDb], group.members ?? [], exclude)];
  }

  private async serviceSave(objinst: unknown): Promise<ObjectActionReply> {
    const { cellDb, recorder } = this.opts;
    let heartbeat: ObjectActionReply | undefined;
    try {
      heartbeat = await recordServiceSaveHeartbeat(recorder, objinst);
    } catch (err) {
      if (err instanceof ServiceNotFoundError) {
        throw new ServiceNotFound({ service_id: `${err.binary} on ${err.host}` });
      }
      if (err instanceof TypeError) throw new ObjectActionError("Service.save", err.message);
      throw err;
    }
    if (heartbeat) return heartbeat;
    const service = ServiceCodec.fromPrimitive(objinst, "objinst");
    const id = await this.serviceId(service);
    const changes = pick(
      service,
      (objectChanges(service) ?? []).filter((c) => SERVICE_SAVE_FIELDS.includes(c)),
    );
    const saved = await cellDb.services.update(id, changes as ServiceChanges);
    return [objectUpdates(ServiceCodec, service, saved), null];
  }

  private async serviceId(service: { id?: number; host?: string | null; binary?: string | null }) {
    if (typeof service.id === "number") return service.id;
    if (service.host && service.binary) {
      try {
        return (await this.opts.cellDb.services.getByHostAndBinary(service.host, service.binary)).id;
      } catch (err) {
        if (hasErrorCode(err, "DB_NOT_FOUND")) {
          throw new ServiceNotFound({ service_id: `${service.binary} on ${service.host}` });
        }
        throw err;
      }
    }
    throw new ObjectActionError("Service.save", "the service has neither id nor host and binary");
  }

  private async serviceCreate(objinst: unknown): Promise<ObjectActionReply> {
    const service = ServiceCodec.fromPrimitive(objinst, "objinst");
    if (service.id !== undefined) throw new ObjectActionError("Service.create", "already created");
    if (!service.host || !service.binary || !service.topic) {
      throw new ObjectActionError("Service.create", "host, binary and topic are required");
    }
    try {
      const created = await this.opts.cellDb.services.create({
        ...(pick(service, ["uuid", "disabled", "disabled_reason", "forced_down", "version"]) as object),
        host: service.host,
        binary: service.binary,
        topic: service.topic,
      });
      return [objectUpdates(ServiceCodec, service, created), null];
    } catch (err) {
      if (hasErrorCode(err, "DB_DUPLICATE")) {
        throw new ServiceBinaryExists({ host: service.host, binary: service.binary });
      }
      throw err;
    }
  }

  private async computeNodeCreate(objinst: unknown): Promise<ObjectActionReply> {
    const node = ComputeNodeCodec.fromPrimitive(objinst, "objinst");
    if (node.id !== undefined) throw new ObjectActionError("ComputeNode.create", "already created");
    const required = [
      "host",
      "hypervisor_hostname",
      "vcpus",
      "memory_mb",
      "local_gb",
      "hypervisor_type",
      "hypervisor_version",
    ] as const;
    const missing = required.filter((k) => node[k] === undefined || node[k] === null);
    if (missing.length > 0) {
      throw new ObjectActionError("ComputeNode.create", `missing ${missing.join(", ")}`);
    }
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (!COMPUTE_NODE_FIXED.has(k) || k === "uuid") values[k] = v;
    const created = await this.opts.cellDb.computeNodes.create(values as ComputeNodeCreate);
    return [objectUpdates(ComputeNodeCodec, node, created), null];
  }

  private async computeNodeSave(objinst: unknown): Promise<ObjectActionReply> {
    const node = ComputeNodeCodec.fromPrimitive(objinst, "objinst");
    if (typeof node.id !== "number") throw new ObjectActionError("ComputeNode.save", "the node has no id");
    const changes = (objectChanges(node) ?? []).filter((c) => !COMPUTE_NODE_FIXED.has(c));
    try {
      const saved = await this.opts.cellDb.computeNodes.update(
        node.id,
        pick(node, changes) as ComputeNodeChanges,
      );
      return [objectUpdates(ComputeNodeCodec, node, saved), null];
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) throw new ComputeHostNotFound({ host: node.host ?? node.id });
      throw err;
    }
  }

  private async instanceSave(objinst: unknown, kwargs: Record<string, unknown>): Promise<ObjectActionReply> {
    const instance = InstanceCodec.fromPrimitive(objinst, "objinst");
    if (!instance.uuid) throw new ObjectActionError("Instance.save", "the instance has no uuid");
    const uuid = instance.uuid;
    const changed = (objectChanges(instance) ?? []).filter((c) => !INSTANCE_NOT_STORED.has(c));
    const expect: InstanceExpectations = {};
    if (kwargs.expected_task_state !== undefined) {
      expect.expectedTaskState = asStateList<TaskState>(kwargs.expected_task_state, "expected_task_state");
    }
    if (kwargs.expected_vm_state !== undefined) {
      expect.expectedVmState = asStateList<VmState>(kwargs.expected_vm_state, "expected_vm_state");
    }
    if (
      changed.length === 0 &&
      expect.expectedTaskState === undefined &&
      expect.expectedVmState === undefined
    ) {
      return [{ obj_what_changed: [] }, null]; // Nova's save of nothing touches nothing
    }
    try {
      // A save taking the row off its host may be a shelve offload, which gives the host's claim back.
      const leaving = changed.includes("host") && !instance.host;
      const before = leaving ? await this.opts.cellDb.instances.get(uuid) : undefined;
      const saved = await this.opts.cellDb.instances.update(
        uuid,
        pick(instance, withAllFlavors(instance, changed)) as InstanceChanges,
        expect,
      );
      if (before && (await releaseWhenOffloaded(this.opts.cellDb, before, saved))) {
        this.opts.logger.info(
          { instance_uuid: uuid, host: before.host },
          "Shelved instance offloaded; claim released",
        );
      }
      const reply: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved)) if (!INSTANCE_REPLY_SKIPPED.has(k)) reply[k] = v;
      return [objectUpdates(InstanceCodec, instance, reply), null];
    } catch (err) {
      throw instanceError(err, uuid);
    }
  }

  private async instanceFaultCreate(objinst: unknown): Promise<ObjectActionReply> {
    const fault = InstanceFaultCodec.fromPrimitive(objinst, "objinst");
    if (!fault.instance_uuid || typeof fault.code !== "number") {
      throw new ObjectActionError("InstanceFault.create", "instance_uuid and code are required");
    }
    const created = await this.opts.cellDb.faults.create({
      instance_uuid: fault.instance_uuid,
      code: fault.code,
      message: fault.message ?? null,
      details: fault.details ?? null,
      host: fault.host ?? null,
    });
    return [
      objectUpdates(InstanceFaultCodec, fault, { id: created.id, created_at: created.created_at }),
      null,
    ];
  }

  private async instanceDestroy(objinst: unknown): Promise<ObjectActionReply> {
    const instance = InstanceCodec.fromPrimitive(objinst, "objinst");
    if (!instance.uuid) throw new ObjectActionError("Instance.destroy", "the instance has no uuid");
    const { cellDb, logger } = this.opts;
    let before: Awaited<ReturnType<CellDatabase["instances"]["destroy"]>>;
    try {
      before = await cellDb.instances.destroy(instance.uuid);
    } catch (err) {
      throw instanceError(err, instance.uuid);
    }
    // The destroy that wins the soft-delete releases what the instance held (its moves' claims too); nobody
    // else can.
    const released = await releaseForDestroyedInstance(cellDb, before, logger);
    logger.info({ instance_uuid: instance.uuid, host: before.host, released }, "Instance destroyed");
    const gone = await cellDb.instances.get(instance.uuid, { readDeleted: true });
    return [
      objectUpdates(InstanceCodec, instance, {
        deleted: gone.deleted,
        deleted_at: gone.deleted_at,
        updated_at: gone.updated_at,
      }),
      null,
    ];
  }
}

/** Nova's exception for a failed conditional instance write. */
export function instanceError(err: unknown, uuid: string): unknown {
  if (hasErrorCode(err, "DB_NOT_FOUND")) return new InstanceNotFound({ instance_id: uuid });
  // By code, not class: works across duplicate copies of @nova/db.
  if (hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE")) {
    const e = err as DbUnexpectedTaskStateError;
    const kwargs = { instance_uuid: uuid, expected: e.expected, actual: e.actual };
    return e.actual === "deleting"
      ? new UnexpectedDeletingTaskStateError(kwargs)
      : new UnexpectedTaskStateError(kwargs);
  }
  if (hasErrorCode(err, "DB_UNEXPECTED_VM_STATE")) {
    const e = err as DbUnexpectedVmStateError;
    return new UnexpectedVMStateError({ instance_uuid: uuid, expected: e.expected, actual: e.actual });
  }
  return err;
}
