import type { InstanceRecord, MigrationRecord } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import type { Flavor, Instance, RequestSpec } from "@nova/objects";
import { COMPUTE_TASK_NAMESPACE, type ComputeAPI, NoValidHost, type NovaContext } from "@nova/rpcapi";
import { COMPUTE_TASK_MANAGER_VERSION } from "./compute-task-manager.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { flavorResources } from "./instance-claims.js";
import {
  decodeTaskArgs,
  describeError as describe,
  firstUpDestination,
  MoveTaskSteps,
  restrictToCell,
  type ScheduledTaskOptions,
  taskArgsRecord,
} from "./move-task.js";

/** The event the conductor records on the evacuate action while it schedules. */
export const EVACUATE_EVENT = "conductor_rebuild_server";

/** What an {@link EvacuateTaskManager} works with. */
export interface EvacuateTaskManagerOptions extends ScheduledTaskOptions {
  /** Client of the computes (rebuild_instance with recreate). */
  compute: ComputeAPI;
}

/** rebuild_instance's arguments (recreate) once decoded. */
interface EvacuateRequest {
  instance: Partial<Instance>;
  newPass: string | null;
  onSharedStorage: boolean | null;
  spec: Partial<RequestSpec> | null;
}

/**
 * The conductor's side of evacuation (Nova's ComputeTaskManager.rebuild_instance with recreate=True): the
 * scheduler picks and claims a destination other than the dead source (the named one as a requested
 * destination), the evacuation migration names it (so it holds that claim while the row still names the
 * source), and rebuild_instance is cast to it. A move that cannot start ends its migration in `error` and
 * leaves the server as it was, with no task. A plain rebuild does not come here (the API casts it to its host).
 */
export class EvacuateTaskManager {
  private readonly steps: MoveTaskSteps;

  /** A manager over its database and RPC clients. */
  constructor(private readonly opts: EvacuateTaskManagerOptions) {
    this.steps = new MoveTaskSteps(opts, { event: EVACUATE_EVENT, title: "Evacuation", noun: "evacuation" });
  }

  /** The RPC endpoint (`compute_task`, beside the build and migrate endpoints). */
  endpoint(): RpcEndpoint {
    return {
      namespace: COMPUTE_TASK_NAMESPACE,
      version: COMPUTE_TASK_MANAGER_VERSION,
      methods: { rebuild_instance: (ctx, args) => this.rebuildInstance(ctx, args) },
    };
  }

  /** Validates the request and schedules in the background (a cast from the API). */
  rebuildInstance(rawCtx: RequestContext, rawArgs: unknown): null {
    return this.steps.cast(rawCtx, rawArgs, parseEvacuateArgs, (ctx, req) => this.run(ctx, req));
  }

  /** Resolves once every evacuation started so far has been handed to its destination (or failed). */
  drain(): Promise<void> {
    return this.steps.drain();
  }

  private async run(ctx: NovaContext, req: EvacuateRequest): Promise<void> {
    const { cellDb, logger } = this.opts;
    const uuid = req.instance.uuid ?? "";
    await this.steps.startEvent(uuid, ctx);
    let row: InstanceRecord;
    let migration: MigrationRecord | undefined;
    try {
      const current = await cellDb.instances.get(uuid);
      row = await cellDb.instances.update(
        uuid,
        { old_flavor: current.flavor, new_flavor: current.flavor },
        { expectedTaskState: ["rebuilding"] },
      );
      migration = (await cellDb.migrations.listInProgressByInstance(uuid, ["evacuation"])).pop();
    } catch (err) {
      logger.warn({ instance_uuid: uuid, err: describe(err) }, "Instance moved on before its evacuation");
      return this.steps.finishEvent(uuid, ctx, err);
    }
    migration ??= await cellDb.migrations.create({
      instance_uuid: uuid,
      status: "accepted",
      migration_type: "evacuation",
      source_compute: row.host ?? null,
      source_node: row.node ?? null,
      old_instance_type_id: row.flavor?.id ?? null,
      new_instance_type_id: row.flavor?.id ?? null,
      user_id: ctx.user_id ?? null,
      project_id: ctx.project_id ?? null,
    });
    const reasons: string[] = [];
    try {
      const spec: Partial<RequestSpec> = {
        ...(req.spec ?? {}),
        flavor: row.flavor as Flavor,
        instance_uuid: uuid,
        num_instances: 1,
        project_id: row.project_id ?? req.spec?.project_id ?? null,
        ignore_hosts: [row.host ?? ""],
        force_hosts: null,
        force_nodes: null,
      };
      const selections =
        (
          await this.opts.scheduler.selectDestinations(ctx, restrictToCell(spec, this.opts.cellUuid), [uuid])
        )[0] ?? [];
      if (selections.length === 0) throw new NoValidHost({ reason: "the scheduler answered no host" });
      const resources = flavorResources(row.flavor as Flavor);
      const alternates = selections.slice(1);
      const chosen = await firstUpDestination(
        this.opts,
        this.steps,
        selections[0],
        alternates,
        resources,
        reasons,
      );
      if (!chosen) throw new NoValidHost({ reason: reasons.join("; ") });
      // From here the migration names the destination, so it holds the claim there (migrationHeldClaim).
      migration = await cellDb.migrations.update(migration.id, {
        dest_compute: chosen.service_host,
        dest_node: chosen.nodename,
      });
      await this.opts.compute.evacuateInstance(ctx, chosen.service_host, {
        instance: row,
        migration,
        image_ref: row.image_ref ?? "",
        scheduled_node: chosen.nodename,
        new_pass: req.newPass,
        on_shared_storage: req.onSharedStorage,
      });
      logger.info({ instance_uuid: uuid, source: row.host, dest: chosen.service_host }, "Evacuation started");
      await this.steps.finishEvent(uuid, ctx, null);
    } catch (err) {
      await this.steps.rollBack(ctx, {
        row,
        migration,
        err,
        reasons,
        taskState: "rebuilding",
        clearFlavors: true,
        taskWord: "task",
      });
    }
  }
}

/** Decodes rebuild_instance's arguments; only evacuations (recreate) are served, or InvalidBuildRequest. */
export function parseEvacuateArgs(rawArgs: unknown): EvacuateRequest {
  const a = taskArgsRecord(rawArgs);
  if (a.recreate !== true) {
    throw new InvalidBuildRequest("rebuild_instance without recreate goes to the instance's host, not here");
  }
  return decodeTaskArgs(a, ({ instance, spec }) => ({
    instance,
    newPass: typeof a.new_pass === "string" ? a.new_pass : null,
    onSharedStorage: typeof a.on_shared_storage === "boolean" ? a.on_shared_storage : null,
    spec,
  }));
}
