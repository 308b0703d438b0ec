import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase, InstanceRecord, MigrationRecord } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  type Flavor,
  FlavorCodec,
  type Instance,
  type InstanceActivityObserver,
  type RequestSpec,
  type Selection,
} from "@nova/objects";
import {
  BuildAbortException,
  COMPUTE_TASK_NAMESPACE,
  type ComputeResizeAPI,
  InstanceNotFound,
  MaxRetriesExceeded,
  type NovaContext,
  UnexpectedTaskStateError,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { type CellTargets, instanceTarget } from "./cell-targets.js";
import type { ServiceIsUp } from "./compute-liveness.js";
import { COMPUTE_TASK_MANAGER_VERSION } from "./compute-task-manager.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { flavorResources } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";
import {
  decodeTaskArgs,
  describeError as describe,
  firstUpDestination,
  MoveTaskSteps,
  restrictToCell,
  type ScheduledTaskOptions,
  taskArgsRecord,
} from "./move-task.js";
import { PerCellManagers } from "./per-cell-managers.js";

/** The event the conductor records on the resize/migrate action while it schedules the move. */
export const MIGRATE_EVENT = "conductor_migrate_server";

/** What a {@link MigrateTaskManager} works with. */
export interface MigrateTaskManagerOptions extends ScheduledTaskOptions {
  /** Client of the computes' resize methods. */
  resize: ComputeResizeAPI;
  /** The servicegroup driver's liveness when `servicegroup_driver` names a plug-in; the heartbeat stamps otherwise. */
  serviceIsUp?: ServiceIsUp | undefined;
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
  private readonly steps: MoveTaskSteps;
  /** Moves started since start, by outcome (logs, tests). */
  readonly counters = { prepared: 0, rescheduled: 0, failed: 0 };

  /** A manager over its database and RPC clients. */
  constructor(private readonly opts: MigrateTaskManagerOptions) {
    this.steps = new MoveTaskSteps(opts, { event: MIGRATE_EVENT, title: "Move", noun: "move" });
  }

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
    return this.steps.cast(rawCtx, rawArgs, parseMigrateArgs, (ctx, req) => this.move(ctx, req));
  }

  /** Resolves once every move started so far has been handed to a destination (or failed). */
  drain(): Promise<void> {
    return this.steps.drain();
  }

  private async move(ctx: NovaContext, req: MoveRequest): Promise<void> {
    const { cellDb, logger } = this.opts;
    const uuid = req.instance.uuid ?? "";
    await this.steps.startEvent(uuid, ctx);
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
      return this.steps.finishEvent(uuid, ctx, err);
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
      selections =
        (
          await this.opts.scheduler.selectDestinations(ctx, restrictToCell(spec, this.opts.cellUuid), [uuid])
        )[0] ?? [];
      if (selections.length === 0) throw new MaxRetriesExceeded({ reason: "the scheduler answered no host" });
    } catch (err) {
      logger.warn({ instance_uuid: uuid, err: describe(err) }, "No destination for the move");
      return this.fail(ctx, row, migration, err, []);
    }
    const alternates = selections.slice(1);
    const reasons: string[] = [];
    let current: Selection | undefined = selections[0];
    let attempts = 0;
    for (;;) {
      current = await firstUpDestination(this.opts, this.steps, current, alternates, resources, reasons);
      if (!current) break;
      const dest = current.service_host;
      const node = current.nodename;
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
        return this.steps.finishEvent(uuid, ctx, null);
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
        await this.steps.endQuietly(migration, now);
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
    this.counters.failed++;
    await this.steps.rollBack(ctx, {
      row,
      migration,
      err,
      reasons,
      taskState: "resize_prep",
      clearFlavors: false,
      taskWord: "task state",
      activity: this.opts.activity,
    });
  }

  private async currentRow(uuid: string): Promise<InstanceRecord | null> {
    try {
      return await this.opts.cellDb.instances.get(uuid);
    } catch (err) {
      if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
      throw err;
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
  const a = taskArgsRecord(rawArgs);
  if (a.live === true || a.rebuild === true) {
    throw new InvalidBuildRequest(
      "migrate_server serves resize and cold migration; send live_migrate_instance or rebuild_instance (recreate)",
    );
  }
  return decodeTaskArgs(a, ({ instance, spec }) => ({
    instance,
    flavor: FlavorCodec.fromPrimitive(a.flavor, "flavor"),
    spec,
    cleanShutdown: a.clean_shutdown !== false,
  }));
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
 * migration stay within the cell (the scheduler is asked for its hosts only), as Nova's do while cross-cell
 * resize is off (its default).
 */
export class CellMigrateTasks {
  private readonly managers: PerCellManagers<MigrateTaskManager>;

  /** Moves over the given cells. */
  constructor(private readonly opts: CellMigrateTasksOptions) {
    this.managers = new PerCellManagers(
      (target) =>
        new MigrateTaskManager({
          ...opts,
          cellUuid: target.cellUuid,
          cellDb: target.db,
          resize: target.resize,
        }),
    );
  }

  /** The RPC endpoint (`compute_task`, beside the build endpoint). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: {
        migrate_server: async (ctx, args) => {
          const uuid = parseMigrateArgs(args).instance.uuid ?? "";
          const target = await instanceTarget(this.opts.apiDb, this.opts.targets, uuid);
          return this.managers.of(target).migrateServer(ctx, args);
        },
      },
    };
  }

  /** Resolves once every move started so far, in every cell, has been handed over (or failed). */
  drain(): Promise<void> {
    return this.managers.drain();
  }
}
