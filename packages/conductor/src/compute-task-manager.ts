import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type {
  ApiDatabase,
  CellDatabase,
  InstanceChanges,
  InstanceCreate,
  InstanceRecord,
  ResourceRequest,
} from "@nova/db";
import { MessagingError, type RequestContext, type RpcEndpoint } from "@nova/messaging";
import {
  BuildRequestCodec,
  CELL0_UUID,
  type Instance,
  type InstanceActivityObserver,
  isNovaObjectPrimitive,
  PowerState,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  type TaskState,
  tagListNames,
  type VmState,
  WireFormatError,
} from "@nova/objects";
import {
  type BuiltGuest,
  COMPUTE_TASK_NAMESPACE,
  type ComputeAPI,
  ComputeServiceUnavailable,
  fromWireContext,
  MaxRetriesExceeded,
  type NovaContext,
  RescheduledException,
  type SchedulerAPI,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { isComputeUp, type ServiceIsUp } from "./compute-liveness.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { flavorResources, instanceResources, releaseOnNode } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";
import { setupInstanceGroup } from "./instance-groups.js";
import { parseUnshelveArgs, unshelveInstance } from "./unshelve-task.js";

/** The compute_task API version served: 1.24 (Zed), so 1.17 requests from nova-api match. */
export const COMPUTE_TASK_MANAGER_VERSION = "1.24";

/** The event the conductor records on the `create` action while it schedules and builds. */
export const SCHEDULE_EVENT = "conductor_schedule_and_build_instances";

// The task states a build passes through before the instance is ACTIVE; anything else (deleting) stops it.
const BUILDING_TASK_STATES: (TaskState | null)[] = [
  null,
  "scheduling",
  "block_device_mapping",
  "networking",
  "spawning",
];

// Instance fields that are not columns of the cell's instance tables (Nova creates them separately).
const NOT_CREATED = new Set([
  "id",
  "deleted",
  "deleted_at",
  "updated_at",
  "services",
  "info_cache",
  "security_groups",
  "fault",
  "pci_devices",
  "tags",
  "ec2_ids",
]);

/** Dependencies of a {@link ComputeTaskManager}. */
export interface ComputeTaskManagerOptions {
  /** The API database: build requests, request specs, instance mappings. */
  apiDb: ApiDatabase;
  /** The cell instances are built in. */
  cellDb: CellDatabase;
  /** The uuid of that cell's mapping. */
  cellUuid: string;
  /** Where unschedulable instances are kept (Nova's cell0); without it they stay ERROR in the cell. */
  cell0Db?: CellDatabase | undefined;
  /** Client of the `scheduler` topic (select_destinations). */
  scheduler: SchedulerAPI;
  /** Client of the `compute.<host>` topics (build_and_run_instance). */
  compute: ComputeAPI;
  /** Judges compute liveness and stamps launch times. */
  clock: Clock;
  /** Where build progress and failures are logged. */
  logger: Logger;
  /** `service_down_time` (s): a compute not heard from for longer is skipped, not called. */
  serviceDownTime: number;
  /** The servicegroup driver's liveness when `servicegroup_driver` names a plug-in; the heartbeat stamps otherwise. */
  serviceIsUp?: ServiceIsUp | undefined;
  /** This conductor's host name, recorded on faults it writes. */
  host: string;
  /** Told of reschedules and faults (metrics); none by default. */
  activity?: InstanceActivityObserver | undefined;
}

/** One instance of a schedule_and_build_instances request. */
interface BuildItem {
  uuid: string;
  instance: Partial<Instance>;
  spec: Partial<RequestSpec>;
}

/** The arguments every instance of one request shares. */
interface BuildCommon {
  image: Record<string, unknown>;
  adminPassword: string | null;
  injectedFiles: unknown[];
  requestedNetworks: unknown;
  blockDeviceMapping: unknown[];
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isDeletion(err: unknown): boolean {
  if (hasErrorCode(err, "DB_NOT_FOUND")) return true;
  return hasErrorCode(err, "DB_UNEXPECTED_TASK_STATE") && (err as { actual?: unknown }).actual === "deleting";
}

/** Whether a failed build on one host may succeed on another (Nova reschedules these). */
export function isReschedulable(err: unknown): boolean {
  return (
    err instanceof RescheduledException ||
    err instanceof ComputeServiceUnavailable ||
    // Timeouts, lost connections, a compute too old for the call: the host is the problem, not the request.
    MessagingError.isInstance(err)
  );
}

/**
 * The conductor's compute_task API (namespace `compute_task`): builds. schedule_and_build_instances does
 * Nova's boot flow with the conductor owning the outcome: the instance row is created in the cell and
 * mapped, the scheduler picks (and claims) a host and alternates, build_and_run_instance is a call on
 * `compute.<host>`, and the guest's details are recorded. A host that fails (reschedule, timeout, down)
 * gives its claim back and the next alternate is claimed; every state write is conditional, so a delete
 * arriving at any moment wins and the build cleans up after itself.
 */
export class ComputeTaskManager {
  private readonly inFlight = new Set<Promise<void>>();
  /** Builds finished since start, by outcome (logs, tests, benchmarks). */
  readonly counters = { active: 0, error: 0, deleted: 0, rescheduled: 0, noValidHost: 0 };

  /** A manager over its databases and RPC clients; it serves builds once its endpoint is on an RPC server. */
  constructor(private readonly opts: ComputeTaskManagerOptions) {}

  /** The RPC endpoint (`compute_task`, 1.24). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: {
        schedule_and_build_instances: (ctx, args) => this.scheduleAndBuildInstances(ctx, args),
        unshelve_instance: (ctx, args) => {
          const { uuid, spec } = parseUnshelveArgs(args);
          this.track(unshelveInstance(this.opts, fromWireContext(ctx), uuid, spec));
          return null;
        },
      },
    };
  }

  /** Builds started and not yet finished. */
  get buildsInFlight(): number {
    return this.inFlight.size;
  }

  /**
   * Validates the request and starts the build in the background: a build waits on the scheduler and a
   * compute for seconds, and must not hold one of the RPC server's slots (heartbeats need them).
   */
  scheduleAndBuildInstances(rawCtx: RequestContext, rawArgs: unknown): null {
    const ctx = fromWireContext(rawCtx);
    const { items, common } = parseBuildArgs(rawArgs);
    this.track(this.build(ctx, items, common));
    return null;
  }

  /** Resolves once every build started so far (and any started meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) =>
      this.opts.logger.error({ err: describe(err) }, "Build failed unexpectedly"),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async build(ctx: NovaContext, items: BuildItem[], common: BuildCommon): Promise<void> {
    const created: { item: BuildItem; record: InstanceRecord }[] = [];
    for (const item of items) {
      const record = await this.createInCell(ctx, item);
      if (record) created.push({ item, record });
    }
    if (created.length === 0) return;
    const first = created[0]!.item;
    let selections: Selection[][];
    try {
      // The group's members and their hosts as they are now, for the affinity filters and weighers.
      const spec = await setupInstanceGroup(this.opts.apiDb, [this.opts.cellDb], first.spec);
      selections = await this.opts.scheduler.selectDestinations(
        ctx,
        { ...spec, num_instances: created.length },
        created.map((c) => c.item.uuid),
      );
      if (selections.length !== created.length || selections.some((s) => s.length === 0)) {
        throw new MaxRetriesExceeded({
          reason: `the scheduler answered ${selections.length} host lists for ${created.length} instances`,
        });
      }
    } catch (err) {
      this.opts.logger.warn(
        { err: describe(err), instances: created.length },
        "Failed to schedule instances",
      );
      await Promise.all(created.map((c) => this.buryUnschedulable(ctx, c.record, err)));
      return;
    }
    await Promise.all(
      created.map(async (c, i) => {
        try {
          await this.buildOne(ctx, c.record, c.item.spec, selections[i]!, common);
        } catch (err) {
          this.opts.logger.error({ instance_uuid: c.item.uuid, err: describe(err) }, "Build crashed");
          await this.failBuild(ctx, c.item.uuid, err, []).catch(() => undefined);
        }
      }),
    );
  }

  /**
   * Creates the instance in the cell from its build request, records the `create` action, maps it to the
   * cell and deletes the build request. A build request already gone means the user deleted the server
   * before it reached a cell: nothing is built, and the row just made is removed again.
   */
  private async createInCell(ctx: NovaContext, item: BuildItem): Promise<InstanceRecord | null> {
    const { apiDb, cellDb, cellUuid, logger } = this.opts;
    const log = { instance_uuid: item.uuid, request_id: ctx.request_id };
    let tags: string[];
    try {
      tags = tagListNames((await apiDb.buildRequests.getByInstanceUuid(item.uuid)).tags);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
      logger.info(log, "Build request deleted before scheduling; not building");
      await apiDb.mappings.deleteInstanceMapping(item.uuid);
      return null;
    }
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item.instance)) if (!NOT_CREATED.has(k)) values[k] = v;
    Object.assign(values, {
      uuid: item.uuid,
      vm_state: "building",
      task_state: "scheduling",
      power_state: PowerState.NOSTATE,
      host: null,
      node: null,
    });
    let record: InstanceRecord;
    try {
      record = await cellDb.instances.create(values as InstanceCreate);
    } catch (err) {
      // The same request twice (a redelivery): the first one builds it.
      if (hasErrorCode(err, "DB_DUPLICATE")) {
        logger.warn(log, "Instance already exists in the cell; not building it twice");
        return null;
      }
      throw err;
    }
    // Nova's conductor creates the build request's tags with the instance (2.52 boot with tags).
    if (tags.length > 0) await cellDb.tags.replace(item.uuid, tags);
    // The action history (cell database) and the move from build request to mapping (API database) do not
    // depend on each other: run side by side, they cost the longer of the two, not the sum.
    const [, stillWanted] = await settleBoth(
      (async () => {
        await cellDb.actions.start({
          instance_uuid: item.uuid,
          action: "create",
          request_id: ctx.request_id,
          user_id: ctx.user_id ?? record.user_id ?? null,
          project_id: ctx.project_id ?? record.project_id ?? null,
        });
        await cellDb.actions.eventStart(item.uuid, ctx.request_id, SCHEDULE_EVENT, this.opts.host);
      })(),
      (async () => {
        await this.mapTo(item.uuid, cellUuid, record);
        return apiDb.buildRequests.delete(item.uuid);
      })(),
    );
    if (!stillWanted) {
      logger.info(log, "Build request deleted while the instance was created; removing it");
      await this.destroyRow(item.uuid);
      await apiDb.mappings.deleteInstanceMapping(item.uuid);
      this.counters.deleted++;
      return null;
    }
    return record;
  }

  private async mapTo(uuid: string, cell: string, record: Partial<InstanceRecord>): Promise<void> {
    const { apiDb } = this.opts;
    try {
      await apiDb.mappings.setInstanceCell(uuid, cell);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
      // The API normally maps the instance first; map it here so it is never unreachable.
      await apiDb.mappings.createInstanceMapping({
        instance_uuid: uuid,
        project_id: record.project_id ?? "",
        user_id: record.user_id ?? "",
        cell_uuid: cell,
      });
    }
  }

  /**
   * The scheduler found no host (or failed): the instance goes to ERROR with a fault carrying the
   * scheduler's explanation, and, with a cell0, moves there as Nova keeps unschedulable instances in cell0.
   */
  private async buryUnschedulable(ctx: NovaContext, record: InstanceRecord, err: unknown): Promise<void> {
    const { cellDb, cell0Db, apiDb, logger } = this.opts;
    const uuid = record.uuid;
    this.counters.noValidHost++;
    let failed: InstanceRecord;
    try {
      failed = await cellDb.instances.update(
        uuid,
        { vm_state: "error", task_state: null },
        { expectedVmState: "building", expectedTaskState: BUILDING_TASK_STATES },
      );
    } catch (e) {
      if (isDeletion(e)) return this.cleanupDeleted(ctx, uuid, null);
      throw e;
    }
    this.counters.error++;
    // With a cell0 this row is a passing copy: the fault is counted once, as cell0 records it.
    const activity = cell0Db ? undefined : this.opts.activity;
    await recordInstanceFault(cellDb, uuid, err, this.opts.host, null, activity);
    await this.finishScheduleEvent(cellDb, uuid, ctx.request_id, err);
    if (!cell0Db) return;
    // Copy into cell0, point the mapping there, then drop the cell's row: at every step one copy is ERROR.
    const values: Record<string, unknown> = { ...failed };
    for (const k of ["id", "deleted", "deleted_at", "fault"]) delete values[k];
    try {
      await cell0Db.instances.create(values as InstanceCreate);
    } catch (e) {
      if (!hasErrorCode(e, "DB_DUPLICATE")) throw e;
    }
    await cell0Db.actions.start({
      instance_uuid: uuid,
      action: "create",
      request_id: ctx.request_id,
      user_id: failed.user_id ?? null,
      project_id: failed.project_id ?? null,
    });
    await cell0Db.actions.eventStart(uuid, ctx.request_id, SCHEDULE_EVENT, this.opts.host);
    await this.finishScheduleEvent(cell0Db, uuid, ctx.request_id, err);
    await recordInstanceFault(cell0Db, uuid, err, this.opts.host, null, this.opts.activity);
    await apiDb.mappings.setInstanceCell(uuid, CELL0_UUID);
    try {
      await cellDb.instances.destroy(uuid, { expectedVmState: "error" });
    } catch (e) {
      if (!isDeletion(e) && !hasErrorCode(e, "DB_UNEXPECTED_VM_STATE")) throw e;
    }
    logger.info(
      { instance_uuid: uuid, err: describe(err) },
      "Instance could not be scheduled; kept in cell0",
    );
  }

  private async finishScheduleEvent(
    db: CellDatabase,
    uuid: string,
    requestId: string,
    err: unknown,
  ): Promise<void> {
    try {
      await db.actions.eventFinish(uuid, requestId, SCHEDULE_EVENT, {
        result: err === null ? "Success" : "Error",
        details: err === null ? null : describe(err),
      });
    } catch (e) {
      // The action history must never decide a build's outcome.
      this.opts.logger.warn({ instance_uuid: uuid, err: describe(e) }, "Could not record the build event");
    }
  }

  private async buildOne(
    ctx: NovaContext,
    record: InstanceRecord,
    spec: Partial<RequestSpec>,
    selections: Selection[],
    common: BuildCommon,
  ): Promise<void> {
    const { cellDb, compute, logger, clock } = this.opts;
    const uuid = record.uuid;
    const resources = spec.flavor ? flavorResources(spec.flavor) : instanceResources(record);
    const alternates = selections.slice(1);
    const reasons: string[] = [];
    const tried: [string, string][] = [];
    // The scheduler claimed the first host. A claim belongs to the conductor until the row names its host;
    // from then on whoever ends the row (this build, a delete, the stuck-build check) gives it back. On a
    // reschedule the next host is claimed before the row moves to it, so the row always holds a claim and
    // a conductor dying mid-build leaks nothing the stuck-build check cannot give back.
    let current: Selection | undefined = selections[0];
    let rowHolds: Selection | undefined;
    while (current) {
      const host = current.service_host;
      const node = current.nodename;
      const log = { instance_uuid: uuid, host, node, request_id: ctx.request_id };
      if (!(await isComputeUp(cellDb, host, clock.now(), this.opts.serviceDownTime, this.opts.serviceIsUp))) {
        reasons.push(`${host}: the compute service is down`);
        logger.warn(log, "Selected compute is down; trying an alternate");
        await this.release(current, resources);
        current = await claimNextAlternate(this.opts, alternates, resources, reasons);
        continue;
      }
      // Back to `scheduling` on a move: the failed host may have left `spawning` behind.
      const moved: InstanceChanges = rowHolds ? { host, node, task_state: "scheduling" } : { host, node };
      // As Nova's conductor: the instance is in its host's zone, which the scheduler's selection names.
      if (current.availability_zone) moved.availability_zone = current.availability_zone;
      let placed: InstanceRecord;
      try {
        await cellDb.instances.updateWithoutReload(uuid, moved, {
          expectedVmState: "building",
          expectedTaskState: BUILDING_TASK_STATES,
        });
        // What the compute is sent is the instance as created, on its host: its claim (a conditional
        // save through this conductor) answers with the whole row as it then is, and it spawns that.
        placed = { ...record, ...moved } as InstanceRecord;
      } catch (err) {
        await this.release(current, resources);
        if (isDeletion(err)) return this.cleanupDeleted(ctx, uuid, null);
        logger.warn({ ...log, err: describe(err) }, "Instance moved on before it was built; stopping");
        return;
      }
      // The row now holds this host's claim; the one it held before is the conductor's to give back.
      if (rowHolds) await this.release(rowHolds, resources);
      rowHolds = current;
      tried.push([host, node]);
      let guest: BuiltGuest | undefined;
      let failure: unknown;
      try {
        guest = await compute.buildAndRunInstance(ctx, host, {
          instance: placed,
          image: common.image,
          request_spec: spec,
          filter_properties: {
            retry: { num_attempts: tried.length, hosts: tried },
            scheduler_hints: spec.scheduler_hints ?? {},
            limits: current.limits ?? {},
          },
          admin_password: common.adminPassword,
          injected_files: common.injectedFiles,
          requested_networks: common.requestedNetworks,
          security_groups: securityGroupNames(spec),
          block_device_mapping: blockDeviceMappingList(common.blockDeviceMapping),
          node,
          limits: (current.limits as Record<string, unknown> | null) ?? null,
          host_list: alternates,
        });
      } catch (err) {
        failure = err;
      }
      if (guest) return this.recordBuilt(ctx, uuid, host, node, guest);

      const now = await this.currentRow(uuid);
      if (!now || now.task_state === "deleting") {
        // A timed-out compute may still have spawned the guest: ask it to remove it.
        const maybeSpawned = MessagingError.isInstance(failure) ? host : null;
        return this.cleanupDeleted(ctx, uuid, maybeSpawned);
      }
      if (!isReschedulable(failure)) {
        logger.warn({ ...log, err: describe(failure) }, "Build failed and cannot be retried elsewhere");
        return this.failBuild(ctx, uuid, failure, reasons);
      }
      reasons.push(`${host}: ${describe(failure)}`);
      logger.info({ ...log, err: describe(failure) }, "Build failed on host; rescheduling");
      this.counters.rescheduled++;
      current = await claimNextAlternate(this.opts, alternates, resources, reasons);
      // Counted only when an alternate took it: the last host's failure ends the build instead.
      if (current) this.opts.activity?.rescheduled?.({ operation: "build" });
    }
    // No host left: failBuild gives back the claim the row still holds.
    const err = new MaxRetriesExceeded({
      reason: `Exhausted all hosts available for retrying build failures for instance ${uuid}.`,
    });
    return this.failBuild(ctx, uuid, err, reasons);
  }

  private async recordBuilt(
    ctx: NovaContext,
    uuid: string,
    host: string,
    node: string,
    guest: BuiltGuest,
  ): Promise<void> {
    const { cellDb, logger, clock } = this.opts;
    const launchedAt = guest.launched_at ? new Date(guest.launched_at) : new Date(clock.now());
    try {
      await cellDb.instances.updateWithoutReload(
        uuid,
        {
          vm_state: (guest.vm_state as VmState | undefined) ?? "active",
          task_state: null,
          power_state: (guest.power_state as Instance["power_state"]) ?? PowerState.RUNNING,
          host: guest.host || host,
          node: guest.node || node,
          launched_on: guest.host || host,
          launched_at: Number.isNaN(launchedAt.getTime()) ? new Date(clock.now()) : launchedAt,
        },
        // A compute that saved ACTIVE itself (as Nova's does) is fine; a delete is not.
        { expectedVmState: ["building", "active"], expectedTaskState: BUILDING_TASK_STATES },
      );
    } catch (err) {
      if (isDeletion(err)) return this.cleanupDeleted(ctx, uuid, host);
      logger.warn({ instance_uuid: uuid, host, err: describe(err) }, "Instance moved on while it was built");
      return;
    }
    this.counters.active++;
    await this.finishScheduleEvent(cellDb, uuid, ctx.request_id, null);
    logger.info({ instance_uuid: uuid, host, node, request_id: ctx.request_id }, "Instance is ACTIVE");
  }

  private async release(sel: Selection, resources: ResourceRequest): Promise<void> {
    try {
      await this.opts.cellDb.computeNodes.release(sel.compute_node_uuid, resources);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) {
        this.opts.logger.error(
          { node: sel.compute_node_uuid, err: describe(err) },
          "Could not release a claim",
        );
      }
    }
  }

  private async currentRow(uuid: string): Promise<InstanceRecord | null> {
    try {
      return await this.opts.cellDb.instances.get(uuid);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
      throw err;
    }
  }

  /**
   * The build ends in ERROR: the row (if still building) gives back its host's claim and gets a fault that
   * says why, with every host tried and why it failed in the details.
   */
  private async failBuild(ctx: NovaContext, uuid: string, err: unknown, reasons: string[]): Promise<void> {
    const { cellDb, logger } = this.opts;
    const before = await this.currentRow(uuid);
    if (!before) return this.cleanupDeleted(ctx, uuid, null);
    try {
      await cellDb.instances.update(
        uuid,
        { vm_state: "error", task_state: null, host: null, node: null },
        { expectedVmState: "building", expectedTaskState: BUILDING_TASK_STATES },
      );
    } catch (e) {
      if (isDeletion(e)) return this.cleanupDeleted(ctx, uuid, before.host);
      logger.warn(
        { instance_uuid: uuid, err: describe(e) },
        "Instance moved on before its failure was recorded",
      );
      return;
    }
    await releaseOnNode(cellDb, before.host, before.node, instanceResources(before));
    this.counters.error++;
    await recordInstanceFault(
      cellDb,
      uuid,
      err,
      this.opts.host,
      reasons.join("\n") || null,
      this.opts.activity,
    );
    await this.finishScheduleEvent(cellDb, uuid, ctx.request_id, err);
    logger.warn(
      { instance_uuid: uuid, err: describe(err), tried: reasons },
      "Build failed; instance is ERROR",
    );
  }

  /**
   * The instance was deleted while it was being built: stop, remove the row if the delete has not yet
   * (its destroy gives back the claim the row held), and ask the compute to terminate a guest it may have
   * spawned. Deleting twice is harmless: only one soft-delete wins.
   */
  private async cleanupDeleted(ctx: NovaContext, uuid: string, spawnedOn: string | null): Promise<void> {
    const { compute, logger } = this.opts;
    this.counters.deleted++;
    const before = await this.destroyRow(uuid);
    if (spawnedOn) {
      const instance: Partial<Instance> = before
        ? { ...before, task_state: "deleting" }
        : { uuid, host: spawnedOn, task_state: "deleting" };
      try {
        await compute.terminateInstance(ctx, spawnedOn, instance);
      } catch (err) {
        logger.warn(
          { instance_uuid: uuid, host: spawnedOn, err: describe(err) },
          "Could not ask for terminate",
        );
      }
    }
    logger.info(
      { instance_uuid: uuid, request_id: ctx.request_id },
      "Instance deleted during its build; stopped",
    );
  }

  private async destroyRow(uuid: string): Promise<InstanceRecord | null> {
    const { cellDb } = this.opts;
    try {
      const before = await cellDb.instances.destroy(uuid, {}, { terminate: true });
      await releaseOnNode(cellDb, before.host, before.node, instanceResources(before));
      return before;
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
      throw err;
    }
  }
}

function securityGroupNames(spec: Partial<RequestSpec>): string[] {
  const list = spec.security_groups as { "nova_object.data"?: { objects?: unknown[] } } | undefined;
  const objects = list?.["nova_object.data"]?.objects ?? [];
  return objects
    .map((o) => (o as { "nova_object.data"?: { name?: unknown } })["nova_object.data"]?.name)
    .filter((n): n is string => typeof n === "string");
}

function blockDeviceMappingList(bdms: unknown[]): Record<string, unknown> {
  return {
    "nova_object.name": "BlockDeviceMappingList",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.18",
    "nova_object.data": { objects: bdms },
  };
}

/** Both results once both settled (neither left running), or the first failure. */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === "rejected") throw ra.reason;
  if (rb.status === "rejected") throw rb.reason;
  return [ra.value, rb.value];
}

/** Decodes schedule_and_build_instances' arguments, or throws InvalidBuildRequest saying what is wrong. */
export function parseBuildArgs(rawArgs: unknown): { items: BuildItem[]; common: BuildCommon } {
  if (typeof rawArgs !== "object" || rawArgs === null) throw new InvalidBuildRequest("no arguments");
  const a = rawArgs as Record<string, unknown>;
  const { build_requests: brs, request_specs: specs } = a;
  if (!Array.isArray(brs) || brs.length === 0)
    throw new InvalidBuildRequest("build_requests must be a non-empty list");
  if (!Array.isArray(specs) || specs.length !== brs.length) {
    throw new InvalidBuildRequest("request_specs must be a list as long as build_requests");
  }
  const items = brs.map((raw, i): BuildItem => {
    try {
      const br = BuildRequestCodec.fromPrimitive(raw, `build_requests[${i}]`);
      const spec = RequestSpecCodec.fromPrimitive(specs[i], `request_specs[${i}]`);
      const instance = br.instance;
      const uuid = instance?.uuid ?? br.instance_uuid;
      if (!instance || !uuid) throw new InvalidBuildRequest(`build_requests[${i}] carries no instance uuid`);
      if (spec.instance_uuid && spec.instance_uuid !== uuid) {
        throw new InvalidBuildRequest(`request_specs[${i}] is for ${spec.instance_uuid}, not ${uuid}`);
      }
      return { uuid, instance, spec };
    } catch (err) {
      if (err instanceof WireFormatError) throw new InvalidBuildRequest(err.message);
      throw err;
    }
  });
  const image = a.image ?? {};
  if (typeof image !== "object" || image === null || Array.isArray(image)) {
    throw new InvalidBuildRequest("image must be a dict");
  }
  // Nova sends a BlockDeviceMappingList; a plain list of BlockDeviceMapping primitives is taken too.
  const rawBdms = a.block_device_mapping ?? [];
  const bdms = isNovaObjectPrimitive(rawBdms) ? rawBdms["nova_object.data"].objects : rawBdms;
  if (!Array.isArray(bdms) || !bdms.every(isNovaObjectPrimitive)) {
    throw new InvalidBuildRequest("block_device_mapping must be a list of BlockDeviceMapping objects");
  }
  return {
    items,
    common: {
      image: image as Record<string, unknown>,
      adminPassword: typeof a.admin_password === "string" ? a.admin_password : null,
      injectedFiles: Array.isArray(a.injected_files) ? a.injected_files : [],
      requestedNetworks: a.requested_networks ?? null,
      blockDeviceMapping: bdms,
    },
  };
}
