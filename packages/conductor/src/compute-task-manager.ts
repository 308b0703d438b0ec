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
  ComputeServiceUnavailable,
  fromWireContext,
  MaxRetriesExceeded,
  type NovaContext,
  RescheduledException,
  type SchedulerAPI,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { type CellTarget, type CellTargets, instanceTarget, isHostNotMapped } from "./cell-targets.js";
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
  /** The API database: build requests, request specs, instance and host mappings. */
  apiDb: ApiDatabase;
  /**
   * The cells builds go to: the chosen host's cell (its database, and its computes over its broker), and
   * where unschedulable ones are kept (cell0).
   */
  targets: CellTargets;
  /** Client of the `scheduler` topic (select_destinations). */
  scheduler: SchedulerAPI;
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

/** An instance whose build request was still there when the conductor got to it. */
interface WantedBuild {
  item: BuildItem;
  /** The build request's tags (a 2.52 boot with tags), created with the instance. */
  tags: string[];
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
          this.track(this.unshelve(fromWireContext(ctx), uuid, spec));
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

  // Unshelve stays in the instance's cell (Nova's unshelve never crosses cells).
  private async unshelve(ctx: NovaContext, uuid: string, spec: Partial<RequestSpec> | null): Promise<void> {
    const target = await instanceTarget(this.opts.apiDb, this.opts.targets, uuid);
    await unshelveInstance({ ...this.opts, cellDb: target.db, compute: target.compute }, ctx, uuid, spec);
  }

  /**
   * Nova's super conductor order: schedule first, then create each instance in its chosen host's cell (the
   * host mapping names it), map it there and build over that cell's broker. Nothing can be scheduled: every
   * instance is created in cell0, ERROR with the scheduler's explanation as its fault.
   */
  private async build(ctx: NovaContext, items: BuildItem[], common: BuildCommon): Promise<void> {
    const { apiDb, targets, scheduler, logger } = this.opts;
    const wanted = (await Promise.all(items.map((item) => this.stillRequested(ctx, item)))).filter(
      (w): w is WantedBuild => w !== null,
    );
    if (wanted.length === 0) return;
    const first = wanted[0]!.item;
    let selections: Selection[][];
    try {
      // The group's members and their hosts as they are now, for the affinity filters and weighers.
      const spec = await setupInstanceGroup(apiDb, await targets.databases(), first.spec);
      selections = await scheduler.selectDestinations(
        ctx,
        { ...spec, num_instances: wanted.length },
        wanted.map((w) => w.item.uuid),
      );
      if (selections.length !== wanted.length || selections.some((s) => s.length === 0)) {
        throw new MaxRetriesExceeded({
          reason: `the scheduler answered ${selections.length} host lists for ${wanted.length} instances`,
        });
      }
    } catch (err) {
      logger.warn({ err: describe(err), instances: wanted.length }, "Failed to schedule instances");
      await Promise.all(wanted.map((w) => this.buryInCell0(ctx, w, err)));
      return;
    }
    await Promise.all(
      wanted.map(async (w, i) => {
        const hosts = selections[i]!;
        const chosen = hosts[0]!;
        let target: CellTarget;
        try {
          target = await targets.forHost(chosen.service_host);
        } catch (err) {
          if (!isHostNotMapped(err)) throw err;
          // Nova's HostMappingNotFound: the host has no cell to build in (discover_hosts never ran for it).
          // Its claim is in a cell no mapping names, so it stays until that host's compute reports again.
          logger.error({ instance_uuid: w.item.uuid, host: chosen.service_host }, describe(err));
          return this.buryInCell0(ctx, w, err);
        }
        const record = await this.createInCell(ctx, target, w);
        if (!record) {
          await this.release(target, chosen, resourcesOf(w.item));
          return;
        }
        try {
          await this.buildOne(ctx, target, record, w.item.spec, hosts, common);
        } catch (err) {
          logger.error({ instance_uuid: w.item.uuid, err: describe(err) }, "Build crashed");
          await this.failBuild(ctx, target, w.item.uuid, err, []).catch(() => undefined);
        }
      }),
    );
  }

  /** The build request's tags, or null (and its mapping gone) when the user deleted it before scheduling. */
  private async stillRequested(ctx: NovaContext, item: BuildItem): Promise<WantedBuild | null> {
    const { apiDb, logger } = this.opts;
    try {
      return { item, tags: tagListNames((await apiDb.buildRequests.getByInstanceUuid(item.uuid)).tags) };
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
      logger.info(
        { instance_uuid: item.uuid, request_id: ctx.request_id },
        "Build request deleted before scheduling; not building",
      );
      await apiDb.mappings.deleteInstanceMapping(item.uuid);
      return null;
    }
  }

  /**
   * Creates the instance in its host's cell from its build request, records the `create` action, maps it to
   * the cell and deletes the build request. A build request gone meanwhile means the user deleted the server
   * before it reached a cell: nothing is built, and the row just made is removed again.
   */
  private async createInCell(
    ctx: NovaContext,
    target: CellTarget,
    { item, tags }: WantedBuild,
  ): Promise<InstanceRecord | null> {
    const { apiDb, logger } = this.opts;
    const cellDb = target.db;
    const log = { instance_uuid: item.uuid, request_id: ctx.request_id };
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
        await cellDb.actions.recordEventStart(item.uuid, ctx.request_id, SCHEDULE_EVENT, this.opts.host);
      })(),
      (async () => {
        await this.mapTo(item.uuid, target.cellUuid, record);
        return apiDb.buildRequests.delete(item.uuid);
      })(),
    );
    if (!stillWanted) {
      logger.info(log, "Build request deleted while the instance was created; removing it");
      await this.destroyRow(target, item.uuid);
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
   * Nova's _bury_in_cell0: the instance that could not be scheduled is created ERROR in cell0 (the only cell
   * without cell0), with a fault carrying the scheduler's explanation and the `create` action, mapped there,
   * and its build request deleted. A build request deleted meanwhile takes the row with it.
   */
  private async buryInCell0(ctx: NovaContext, { item, tags }: WantedBuild, err: unknown): Promise<void> {
    const { apiDb, targets, logger } = this.opts;
    const uuid = item.uuid;
    const cell0 = await targets.unschedulable();
    this.counters.noValidHost++;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item.instance)) if (!NOT_CREATED.has(k)) values[k] = v;
    Object.assign(values, {
      uuid,
      vm_state: "error",
      task_state: null,
      power_state: PowerState.NOSTATE,
      host: null,
      node: null,
    });
    try {
      await cell0.db.instances.create(values as InstanceCreate);
    } catch (e) {
      if (!hasErrorCode(e, "DB_DUPLICATE")) throw e;
    }
    if (tags.length > 0) await cell0.db.tags.replace(uuid, tags);
    await cell0.db.actions
      .start({
        instance_uuid: uuid,
        action: "create",
        request_id: ctx.request_id,
        user_id: ctx.user_id ?? (values.user_id as string | undefined) ?? null,
        project_id: ctx.project_id ?? (values.project_id as string | undefined) ?? null,
      })
      .then(() => cell0.db.actions.recordEventStart(uuid, ctx.request_id, SCHEDULE_EVENT, this.opts.host))
      .catch((e: unknown) =>
        logger.warn({ instance_uuid: uuid, err: describe(e) }, "Could not record the build action"),
      );
    await this.finishScheduleEvent(cell0.db, uuid, ctx.request_id, err);
    await recordInstanceFault(cell0.db, uuid, err, this.opts.host, null, this.opts.activity);
    await this.mapTo(uuid, cell0.cellUuid, values as Partial<InstanceRecord>);
    this.counters.error++;
    if (!(await apiDb.buildRequests.delete(uuid))) {
      // The user deleted the server meanwhile: it goes, as Nova's _bury_in_cell0 destroys it.
      await cell0.db.instances.destroy(uuid, {}, { terminate: true }).catch(() => undefined);
      await apiDb.mappings.deleteInstanceMapping(uuid);
      this.counters.deleted++;
      return;
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
      await db.actions.recordEventFinish(uuid, requestId, SCHEDULE_EVENT, {
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
    target: CellTarget,
    record: InstanceRecord,
    spec: Partial<RequestSpec>,
    selections: Selection[],
    common: BuildCommon,
  ): Promise<void> {
    const { logger, clock } = this.opts;
    const { db: cellDb, compute } = target;
    const uuid = record.uuid;
    const resources = spec.flavor ? flavorResources(spec.flavor) : instanceResources(record);
    // Nova's scheduler picks alternates in the chosen host's cell: they are claimed in its database.
    const inCell = { ...this.opts, cellDb };
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
        await this.release(target, current, resources);
        current = await claimNextAlternate(inCell, alternates, resources, reasons);
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
        await this.release(target, current, resources);
        if (isDeletion(err)) return this.cleanupDeleted(ctx, target, uuid, null);
        logger.warn({ ...log, err: describe(err) }, "Instance moved on before it was built; stopping");
        return;
      }
      // The row now holds this host's claim; the one it held before is the conductor's to give back.
      if (rowHolds) await this.release(target, rowHolds, resources);
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
      if (guest) return this.recordBuilt(ctx, target, uuid, host, node, guest);

      const now = await this.currentRow(target, uuid);
      if (!now || now.task_state === "deleting") {
        // A timed-out compute may still have spawned the guest: ask it to remove it.
        const maybeSpawned = MessagingError.isInstance(failure) ? host : null;
        return this.cleanupDeleted(ctx, target, uuid, maybeSpawned);
      }
      if (!isReschedulable(failure)) {
        logger.warn({ ...log, err: describe(failure) }, "Build failed and cannot be retried elsewhere");
        return this.failBuild(ctx, target, uuid, failure, reasons);
      }
      reasons.push(`${host}: ${describe(failure)}`);
      logger.info({ ...log, err: describe(failure) }, "Build failed on host; rescheduling");
      this.counters.rescheduled++;
      current = await claimNextAlternate(inCell, alternates, resources, reasons);
      // Counted only when an alternate took it: the last host's failure ends the build instead.
      if (current) this.opts.activity?.rescheduled?.({ operation: "build" });
    }
    // No host left: failBuild gives back the claim the row still holds.
    const err = new MaxRetriesExceeded({
      reason: `Exhausted all hosts available for retrying build failures for instance ${uuid}.`,
    });
    return this.failBuild(ctx, target, uuid, err, reasons);
  }

  private async recordBuilt(
    ctx: NovaContext,
    target: CellTarget,
    uuid: string,
    host: string,
    node: string,
    guest: BuiltGuest,
  ): Promise<void> {
    const { logger, clock } = this.opts;
    const cellDb = target.db;
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
      if (isDeletion(err)) return this.cleanupDeleted(ctx, target, uuid, host);
      logger.warn({ instance_uuid: uuid, host, err: describe(err) }, "Instance moved on while it was built");
      return;
    }
    this.counters.active++;
    await this.finishScheduleEvent(cellDb, uuid, ctx.request_id, null);
    logger.info({ instance_uuid: uuid, host, node, request_id: ctx.request_id }, "Instance is ACTIVE");
  }

  private async release(target: CellTarget, sel: Selection, resources: ResourceRequest): Promise<void> {
    try {
      await target.db.computeNodes.release(sel.compute_node_uuid, resources);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) {
        this.opts.logger.error(
          { node: sel.compute_node_uuid, err: describe(err) },
          "Could not release a claim",
        );
      }
    }
  }

  private async currentRow(target: CellTarget, uuid: string): Promise<InstanceRecord | null> {
    try {
      return await target.db.instances.get(uuid);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
      throw err;
    }
  }

  /**
   * The build ends in ERROR: the row (if still building) gives back its host's claim and gets a fault that
   * says why, with every host tried and why it failed in the details.
   */
  private async failBuild(
    ctx: NovaContext,
    target: CellTarget,
    uuid: string,
    err: unknown,
    reasons: string[],
  ): Promise<void> {
    const { logger } = this.opts;
    const cellDb = target.db;
    const before = await this.currentRow(target, uuid);
    if (!before) return this.cleanupDeleted(ctx, target, uuid, null);
    try {
      await cellDb.instances.update(
        uuid,
        { vm_state: "error", task_state: null, host: null, node: null },
        { expectedVmState: "building", expectedTaskState: BUILDING_TASK_STATES },
      );
    } catch (e) {
      if (isDeletion(e)) return this.cleanupDeleted(ctx, target, uuid, before.host);
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
  private async cleanupDeleted(
    ctx: NovaContext,
    target: CellTarget,
    uuid: string,
    spawnedOn: string | null,
  ): Promise<void> {
    const { logger } = this.opts;
    const { compute } = target;
    this.counters.deleted++;
    const before = await this.destroyRow(target, uuid);
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

  private async destroyRow(target: CellTarget, uuid: string): Promise<InstanceRecord | null> {
    const cellDb = target.db;
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

/** What an instance of the request takes from its host (what the scheduler claimed). */
function resourcesOf(item: BuildItem): ResourceRequest {
  return item.spec.flavor ? flavorResources(item.spec.flavor) : instanceResources(item.instance);
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
