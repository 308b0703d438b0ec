import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type { ApiDatabase, CellDatabase, InstanceRecord, MigrationRecord, ResourceRequest } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  type Flavor,
  FlavorCodec,
  type Instance,
  type InstanceActivityObserver,
  InstanceCodec,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  WireFormatError,
} from "@nova/objects";
import {
  BuildAbortException,
  COMPUTE_TASK_NAMESPACE,
  type ComputeResizeAPI,
  fromWireContext,
  InstanceNotFound,
  MaxRetriesExceeded,
  MigrationError,
  type NovaContext,
  type SchedulerAPI,
  UnexpectedTaskStateError,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { type CellTarget, type CellTargets, instanceTarget } from "./cell-targets.js";
import { isComputeUp, type ServiceIsUp } from "./compute-liveness.js";
import { COMPUTE_TASK_MANAGER_VERSION } from "./compute-task-manager.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { flavorResources } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";
import { endMigration } from "./migration-claims.js";

/** The event the conductor records on the resize/migrate action while it schedules the move. */
export const MIGRATE_EVENT = "conductor_migrate_server";

/** What a {@link MigrateTaskManager} works with. */
export interface MigrateTaskManagerOptions {
  /** The cell the instances live in. */
  cellDb: CellDatabase;
  /** Client of the `scheduler` topic. */
  scheduler: SchedulerAPI;
  /** Client of the computes' resize methods. */
  resize: ComputeResizeAPI;
  /** Judges compute liveness. */
  clock: Clock;
  /** Where moves are logged. */
  logger: Logger;
  /** `service_down_time` (s). */
  serviceDownTime: number;
  /** The servicegroup driver's liveness when `servicegroup_driver` names a plug-in; the heartbeat stamps otherwise. */
  serviceIsUp?: ServiceIsUp | undefined;
  /** This conductor's host, recorded on faults and events. */
  host: string;
  /** Told of reschedules and faults (metrics); none by default. */
  activity?: InstanceActivityObserver | undefined;
}

/** migrate_server's arguments once decoded (resize and cold migration). */
interface MoveRequest {
  instance: Partial<Instance>;
  flavor: Partial<Flavor>;
  spec: Partial<RequestSpec> | null;
  cleanShutdown: boolean;
}

/**
 * The conductor's side of resize and cold migration (Nova's MigrationTask): migrate_server records the migration
 * (`pre-migrating`), has the scheduler pick and claim a destination for the new flavor with alternates, and asks
 * the destination to prep_resize; a destination that fails gives back its claim (its migration ends in `error`)
 * and the next alternate is claimed, with a new migration record, until none is left. The rest of the move runs
 * between the two computes.
 */
export class MigrateTaskManager {
  private readonly inFlight = new Set<Promise<void>>();
  /** Moves started since start, by outcome (logs, tests). */
  readonly counters = { prepared: 0, rescheduled: 0, failed: 0 };

  /** A manager over its database and RPC clients. */
  constructor(private readonly opts: MigrateTaskManagerOptions) {}

  /** The cell database this manager moves instances in. */
  get cellDb(): CellDatabase {
    return this.opts.cellDb;
  }

  /** The RPC endpoint (`compute_task`, beside the build endpoint). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: {
        migrate_server: (ctx, args) => this.migrateServer(ctx, args),
      },
    };
  }

  /**
   * Validates the request and runs the move in the background (a cast from the API, as Nova's resize sends it):
   * live migration and evacuation come as live_migrate_instance and rebuild_instance (LiveMigrateTaskManager,
   * EvacuateTaskManager), and are refused here.
   */
  migrateServer(rawCtx: RequestContext, rawArgs: unknown): null {
    const ctx = fromWireContext(rawCtx);
    const request = parseMigrateArgs(rawArgs);
    const run = this.move(ctx, request).catch((err: unknown) =>
      this.opts.logger.error(
        { instance_uuid: request.instance.uuid, err: describe(err) },
        "Move failed unexpectedly",
      ),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return null;
  }

  /** Resolves once every move started so far has been handed to a destination (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async move(ctx: NovaContext, req: MoveRequest): Promise<void> {
    const { cellDb, logger, host } = this.opts;
    const uuid = req.instance.uuid ?? "";
    await this.event(() => cellDb.actions.eventStart(uuid, ctx.request_id, MIGRATE_EVENT, host));
    let row: InstanceRecord;
    try {
      // The new size is kept on the instance from the start: every step (and a delete) reads what the move holds.
      row = await cellDb.instances.update(
        uuid,
        { old_flavor: (await cellDb.instances.get(uuid)).flavor, new_flavor: req.flavor as Flavor },
        { expectedTaskState: ["resize_prep"] },
      );
    } catch (err) {
      logger.warn({ instance_uuid: uuid, err: describe(err) }, "Instance moved on before its move started");
      return this.finishEvent(uuid, ctx, err);
    }
    const resources = flavorResources(req.flavor);
    const newMigration = () =>
      cellDb.migrations.create({
        instance_uuid: uuid,
        status: "pre-migrating",
        migration_type: row.flavor?.id !== req.flavor.id ? "resize" : "migration",
        source_compute: row.host ?? null,
        source_node: row.node ?? null,
        old_instance_type_id: row.flavor?.id ?? null,
        new_instance_type_id: req.flavor.id ?? null,
        user_id: ctx.user_id ?? row.user_id ?? null,
        project_id: ctx.project_id ?? row.project_id ?? null,
      });
    let migration = await newMigration();
    let selections: Selection[];
    try {
      const spec: Partial<RequestSpec> = {
        ...(req.spec ?? {}),
        flavor: req.flavor as Flavor,
        instance_uuid: uuid,
        num_instances: 1,
        project_id: row.project_id ?? req.spec?.project_id ?? null,
      };
      selections = (await this.opts.scheduler.selectDestinations(ctx, spec, [uuid]))[0] ?? [];
      if (selections.length === 0) throw new MaxRetriesExceeded({ reason: "the scheduler answered no host" });
    } catch (err) {
      logger.warn({ instance_uuid: uuid, err: describe(err) }, "No destination for the move");
      return this.fail(ctx, row, migration, err, []);
    }
    const alternates = selections.slice(1);
    const reasons: string[] = [];
    let current: Selection | undefined = selections[0];
    let attempts = 0;
    while (current) {
      const dest = current.service_host;
      const node = current.nodename;
      if (
        !(await isComputeUp(
          cellDb,
          dest,
          this.opts.clock.now(),
          this.opts.serviceDownTime,
          this.opts.serviceIsUp,
        ))
      ) {
        reasons.push(`${dest}: the compute service is down`);
        await this.release(current, resources);
        current = await claimNextAlternate(this.opts, alternates, resources, reasons);
        continue;
      }
      if (attempts > 0) migration = await newMigration();
      attempts++;
      // From here the migration names the destination, so it holds the claim there (see migrationHeldClaim).
      migration = await cellDb.migrations.update(migration.id, { dest_compute: dest, dest_node: node });
      try {
        await this.opts.resize.prepResize(ctx, dest, {
          instance: row,
          flavor: req.flavor,
          migration,
          request_spec: req.spec,
          filter_properties: { retry: { num_attempts: attempts, hosts: [[dest, node]] } },
          node,
          clean_shutdown: req.cleanShutdown,
          host_list: alternates,
        });
        this.counters.prepared++;
        logger.info(
          { instance_uuid: uuid, source: row.host, dest, migration_id: migration.id },
          "Move prepared",
        );
        return this.finishEvent(uuid, ctx, null);
      } catch (err) {
        const now = await this.currentRow(uuid);
        if (!now) {
          logger.info({ instance_uuid: uuid }, "Instance deleted during its move; stopped");
          return;
        }
        if (!isReschedulable(err)) return this.fail(ctx, now, migration, err, reasons);
        reasons.push(`${dest}: ${describe(err)}`);
        logger.info(
          { instance_uuid: uuid, dest, err: describe(err) },
          "Destination refused the move; rescheduling",
        );
        this.counters.rescheduled++;
        await this.endQuietly(migration, now);
        await recordInstanceFault(cellDb, uuid, err, dest, null, this.opts.activity).catch(() => undefined);
        row = now;
        current = await claimNextAlternate(this.opts, alternates, resources, reasons);
        // Counted only when an alternate took it: the last host's refusal ends the move instead.
        if (current) this.opts.activity?.rescheduled?.({ operation: "move" });
      }
    }
    const err = new MaxRetriesExceeded({
      reason: `Exhausted all hosts available for retrying the move of instance ${uuid}.`,
    });
    return this.fail(ctx, row, null, err, reasons);
  }

  /**
   * The move cannot go on: its migration ends in `error` (giving back the destination's claim), the instance
   * keeps its vm_state with no task (Nova's MigrationTask rollback), and a fault says why.
   */
  private async fail(
    ctx: NovaContext,
    row: InstanceRecord,
    migration: MigrationRecord | null,
    err: unknown,
    reasons: string[],
  ): Promise<void> {
    const { cellDb, logger, host } = this.opts;
    this.counters.failed++;
    if (migration) await this.endQuietly(migration, row);
    try {
      await cellDb.instances.update(row.uuid, { task_state: null }, { expectedTaskState: ["resize_prep"] });
    } catch (e) {
      logger.warn({ instance_uuid: row.uuid, err: describe(e) }, "Could not clear the move's task state");
    }
    await recordInstanceFault(
      cellDb,
      row.uuid,
      err,
      host,
      reasons.join("\n") || null,
      this.opts.activity,
    ).catch(() => undefined);
    await this.finishEvent(row.uuid, ctx, err);
    logger.warn({ instance_uuid: row.uuid, err: describe(err), tried: reasons }, "Move failed");
  }

  private async endQuietly(migration: MigrationRecord, row: InstanceRecord): Promise<void> {
    try {
      await endMigration(this.opts.cellDb, migration.id, { status: "error" }, this.opts.logger, row);
    } catch (err) {
      if (!(err instanceof MigrationError)) throw err;
    }
  }

  private async release(sel: Selection, resources: ResourceRequest): Promise<void> {
    try {
      await this.opts.cellDb.computeNodes.release(sel.compute_node_uuid, resources);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
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

  private async finishEvent(uuid: string, ctx: NovaContext, err: unknown): Promise<void> {
    await this.event(() =>
      this.opts.cellDb.actions.eventFinish(uuid, ctx.request_id, MIGRATE_EVENT, {
        result: err === null ? "Success" : "Error",
        details: err === null ? null : describe(err),
      }),
    );
  }

  // The action history never decides a move's outcome.
  private async event(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.opts.logger.warn({ err: describe(err) }, "Could not record the move's event");
    }
  }
}

/** Whether a destination's refusal lets another host try (Nova reschedules all but these). */
function isReschedulable(err: unknown): boolean {
  return !(
    err instanceof BuildAbortException ||
    err instanceof InstanceNotFound ||
    err instanceof UnexpectedTaskStateError
  );
}

/** Decodes migrate_server's arguments, or throws InvalidBuildRequest saying what is wrong. */
export function parseMigrateArgs(rawArgs: unknown): MoveRequest {
  if (typeof rawArgs !== "object" || rawArgs === null) throw new InvalidBuildRequest("no arguments");
  const a = rawArgs as Record<string, unknown>;
  if (a.live === true || a.rebuild === true) {
    throw new InvalidBuildRequest(
      "migrate_server serves resize and cold migration; send live_migrate_instance or rebuild_instance (recreate)",
    );
  }
  try {
    const instance = InstanceCodec.fromPrimitive(a.instance, "instance");
    if (!instance.uuid) throw new InvalidBuildRequest("instance carries no uuid");
    const flavor = FlavorCodec.fromPrimitive(a.flavor, "flavor");
    const spec =
      a.request_spec === null || a.request_spec === undefined
        ? null
        : RequestSpecCodec.fromPrimitive(a.request_spec, "request_spec");
    return { instance, flavor, spec, cleanShutdown: a.clean_shutdown !== false };
  } catch (err) {
    if (err instanceof WireFormatError) throw new InvalidBuildRequest(err.message);
    throw err;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What {@link CellMigrateTasks} needs: a MigrateTaskManager's options but the cell, and how to find it. */
export interface CellMigrateTasksOptions extends Omit<MigrateTaskManagerOptions, "cellDb" | "resize"> {
  /** The API database (instance mappings). */
  apiDb: ApiDatabase;
  /** The instance's cell: its database and its computes' resize methods over its broker. */
  targets: CellTargets;
}

/**
 * migrate_server in the instance's cell: one MigrateTaskManager per cell, made on first use. Resize and cold
 * migration stay within the cell, as Nova's do while cross-cell resize is off (its default).
 */
export class CellMigrateTasks {
  private readonly byCell = new Map<string, MigrateTaskManager>();
  // Every manager made, so drain() also waits for moves of a cell whose connections were reopened since.
  private readonly made = new Set<MigrateTaskManager>();

  /** Moves over the given cells. */
  constructor(private readonly opts: CellMigrateTasksOptions) {}

  /** The RPC endpoint (`compute_task`, beside the build endpoint). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: {
        migrate_server: async (ctx, args) => {
          const uuid = parseMigrateArgs(args).instance.uuid ?? "";
          const target = await instanceTarget(this.opts.apiDb, this.opts.targets, uuid);
          return this.manager(target).migrateServer(ctx, args);
        },
      },
    };
  }

  /** Resolves once every move started so far, in every cell, has been handed over (or failed). */
  async drain(): Promise<void> {
    await Promise.all([...this.made].map((m) => m.drain()));
  }

  private manager(target: CellTarget): MigrateTaskManager {
    let m = this.byCell.get(target.cellUuid);
    // A cell whose connections were reopened (SIGHUP) gets a manager over the new ones.
    if (!m || m.cellDb !== target.db) {
      m = new MigrateTaskManager({ ...this.opts, cellDb: target.db, resize: target.resize });
      this.byCell.set(target.cellUuid, m);
      this.made.add(m);
    }
    return m;
  }
}
