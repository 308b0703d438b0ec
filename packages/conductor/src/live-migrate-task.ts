import type { InstanceRecord } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import type { Flavor, Instance, NovaObjectPrimitive, RequestSpec, Selection } from "@nova/objects";
import {
  COMPUTE_TASK_NAMESPACE,
  type ComputeLiveMigrationAPI,
  ComputeServiceUnavailable,
  type LiveMigrateData,
  MigrationError,
  NoValidHost,
  type NovaContext,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { isComputeUp } from "./compute-liveness.js";
import { COMPUTE_TASK_MANAGER_VERSION } from "./compute-task-manager.js";
import { flavorResources } from "./instance-claims.js";
import {
  decodeTaskArgs,
  describeError as describe,
  MoveTaskSteps,
  restrictToCell,
  type ScheduledTaskOptions,
  taskArgsRecord,
} from "./move-task.js";

/** The event the conductor records on the live-migration action while it checks and schedules. */
export const LIVE_MIGRATE_EVENT = "conductor_live_migrate_instance";

/** What a {@link LiveMigrateTaskManager} works with. */
export interface LiveMigrateTaskManagerOptions extends ScheduledTaskOptions {
  /** Client of the computes' live-migration methods. */
  live: ComputeLiveMigrationAPI;
}

/** live_migrate_instance's arguments once decoded. */
interface LiveMigrateRequest {
  instance: Partial<Instance>;
  host: string | null;
  blockMigration: boolean | null;
  diskOverCommit: boolean | null;
  spec: Partial<RequestSpec> | null;
}

/**
 * The conductor's side of live migration (Nova's LiveMigrationTask): records the migration (`accepted`), checks
 * the source is up, has the scheduler pick and claim a destination (the named host through requested_destination,
 * so its claim is checked as any other), asks it check_can_live_migrate_destination (which asks the source), and
 * on a refusal gives the claim back and tries the next alternate; then casts live_migration to the source. A move
 * that cannot start ends its migration in `error` and leaves the server as it was, with no task.
 */
export class LiveMigrateTaskManager {
  private readonly steps: MoveTaskSteps;

  /** A manager over its database and RPC clients. */
  constructor(private readonly opts: LiveMigrateTaskManagerOptions) {
    this.steps = new MoveTaskSteps(opts, {
      event: LIVE_MIGRATE_EVENT,
      title: "Live migration",
      noun: "live migration",
    });
  }

  /** The RPC endpoint (`compute_task`, beside the build and migrate endpoints). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: {
        live_migrate_instance: (ctx, args) => this.liveMigrateInstance(ctx, args),
      },
    };
  }

  /** Validates the request and runs the checks and scheduling in the background (a cast from the API). */
  liveMigrateInstance(rawCtx: RequestContext, rawArgs: unknown): null {
    return this.steps.cast(rawCtx, rawArgs, parseLiveMigrateArgs, (ctx, req) => this.run(ctx, req));
  }

  /** Resolves once every live migration started so far has been handed to its source (or failed). */
  drain(): Promise<void> {
    return this.steps.drain();
  }

  private async run(ctx: NovaContext, req: LiveMigrateRequest): Promise<void> {
    const { cellDb, logger } = this.opts;
    const uuid = req.instance.uuid ?? "";
    await this.steps.startEvent(uuid, ctx);
    let row: InstanceRecord;
    try {
      const current = await cellDb.instances.get(uuid);
      // Both sides hold the same flavor: kept on the row so each step (and a delete) knows what the move holds.
      row = await cellDb.instances.update(
        uuid,
        { old_flavor: current.flavor, new_flavor: current.flavor },
        { expectedTaskState: ["migrating"] },
      );
    } catch (err) {
      logger.warn({ instance_uuid: uuid, err: describe(err) }, "Instance moved on before its live migration");
      return this.steps.finishEvent(uuid, ctx, err);
    }
    let migration = await cellDb.migrations.create({
      instance_uuid: uuid,
      status: "accepted",
      migration_type: "live-migration",
      source_compute: row.host ?? null,
      source_node: row.node ?? null,
      dest_compute: req.host,
      old_instance_type_id: row.flavor?.id ?? null,
      new_instance_type_id: row.flavor?.id ?? null,
      user_id: ctx.user_id ?? row.user_id ?? null,
      project_id: ctx.project_id ?? row.project_id ?? null,
    });
    const reasons: string[] = [];
    try {
      const source = row.host ?? "";
      if (!(await isComputeUp(cellDb, source, this.opts.clock.now(), this.opts.serviceDownTime))) {
        throw new ComputeServiceUnavailable({ host: source });
      }
      const selections = await this.schedule(ctx, row, req);
      const resources = flavorResources(row.flavor as Flavor);
      let chosen: { sel: Selection; data: LiveMigrateData } | null = null;
      // The scheduler claimed the first pick only; an alternate is claimed when its turn comes.
      const alternates = selections.slice(1);
      let current: Selection | undefined = selections[0];
      while (current && !chosen) {
        const sel: Selection = current;
        // From here the migration names the destination, so it holds the claim there (migrationHeldClaim).
        migration = await cellDb.migrations.update(migration.id, {
          dest_compute: sel.service_host,
          dest_node: sel.nodename,
        });
        try {
          const data = await this.opts.live.checkCanLiveMigrateDestination(ctx, sel.service_host, {
            instance: row,
            block_migration: req.blockMigration,
            disk_over_commit: req.diskOverCommit,
            migration,
          });
          chosen = { sel, data };
        } catch (err) {
          reasons.push(`${sel.service_host}: ${describe(err)}`);
          logger.info(
            { instance_uuid: uuid, dest: sel.service_host, err: describe(err) },
            "Destination refused",
          );
          migration = await cellDb.migrations.update(migration.id, { dest_compute: null, dest_node: null });
          await this.steps.release(sel, resources);
          current = await claimNextAlternate(this.opts, alternates, resources, reasons);
        }
      }
      if (!chosen)
        throw new MigrationError({ reason: `no destination passed the checks: ${reasons.join("; ")}` });
      await this.opts.live.liveMigration(ctx, {
        instance: row,
        dest: chosen.sel.service_host,
        block_migration: req.blockMigration,
        migration,
        migrate_data: chosen.data,
      });
      logger.info({ instance_uuid: uuid, source, dest: chosen.sel.service_host }, "Live migration started");
      await this.steps.finishEvent(uuid, ctx, null);
    } catch (err) {
      await this.steps.rollBack(ctx, {
        row,
        migration,
        err,
        reasons,
        taskState: "migrating",
        clearFlavors: true,
        taskWord: "task",
      });
    }
  }

  // The scheduler picks and claims (a named host is a requested destination); its alternates are unclaimed.
  private async schedule(
    ctx: NovaContext,
    row: InstanceRecord,
    req: LiveMigrateRequest,
  ): Promise<Selection[]> {
    const spec: Partial<RequestSpec> = {
      ...(req.spec ?? {}),
      flavor: row.flavor as Flavor,
      instance_uuid: row.uuid,
      num_instances: 1,
      project_id: row.project_id ?? req.spec?.project_id ?? null,
      ignore_hosts: [row.host ?? ""],
      force_hosts: null,
      force_nodes: null,
      ...(req.host ? { requested_destination: destination(req.host) } : {}),
    };
    const selections =
      (
        await this.opts.scheduler.selectDestinations(ctx, restrictToCell(spec, this.opts.cellUuid), [
          row.uuid,
        ])
      )[0] ?? [];
    if (selections.length === 0) throw new NoValidHost({ reason: "the scheduler answered no host" });
    return selections;
  }
}

/** Decodes live_migrate_instance's arguments, or throws InvalidBuildRequest saying what is wrong. */
export function parseLiveMigrateArgs(rawArgs: unknown): LiveMigrateRequest {
  const a = taskArgsRecord(rawArgs);
  const hint = (a.scheduler_hint ?? {}) as Record<string, unknown>;
  const bool = (v: unknown) => (typeof v === "boolean" ? v : null);
  return decodeTaskArgs(a, ({ instance, spec }) => ({
    instance,
    host: typeof hint.host === "string" && hint.host !== "" ? hint.host : null,
    blockMigration: bool(a.block_migration),
    diskOverCommit: bool(a.disk_over_commit),
    spec,
  }));
}

// Nova's Destination(host=...): the scheduler considers that host only, through its filters.
function destination(host: string): NovaObjectPrimitive {
  return {
    "nova_object.name": "Destination",
    "nova_object.namespace": "nova",
    "nova_object.version": "1.4",
    "nova_object.data": { host },
    "nova_object.changes": ["host"],
  };
}
