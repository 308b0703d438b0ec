import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type { CellDatabase, InstanceRecord, MigrationRecord } from "@nova/db";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  type Flavor,
  type Instance,
  InstanceCodec,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  WireFormatError,
} from "@nova/objects";
import {
  COMPUTE_TASK_NAMESPACE,
  type ComputeAPI,
  fromWireContext,
  MigrationError,
  NoValidHost,
  type NovaContext,
  type SchedulerAPI,
} from "@nova/rpcapi";
import { claimNextAlternate } from "./alternate-claims.js";
import { isComputeUp } from "./compute-liveness.js";
import { COMPUTE_TASK_MANAGER_VERSION } from "./compute-task-manager.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { flavorResources } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";
import { endMigration } from "./migration-claims.js";

/** The event the conductor records on the evacuate action while it schedules. */
export const EVACUATE_EVENT = "conductor_rebuild_server";

/** What an {@link EvacuateTaskManager} works with. */
export interface EvacuateTaskManagerOptions {
  /** The cell the instances live in. */
  cellDb: CellDatabase;
  /** Client of the `scheduler` topic. */
  scheduler: SchedulerAPI;
  /** Client of the computes (rebuild_instance with recreate). */
  compute: ComputeAPI;
  /** Judges compute liveness. */
  clock: Clock;
  /** Where evacuations are logged. */
  logger: Logger;
  /** `service_down_time` (s). */
  serviceDownTime: number;
  /** This conductor's host, recorded on faults and events. */
  host: string;
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
  private readonly inFlight = new Set<Promise<void>>();

  /** A manager over its database and RPC clients. */
  constructor(private readonly opts: EvacuateTaskManagerOptions) {}

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
    const ctx = fromWireContext(rawCtx);
    const request = parseEvacuateArgs(rawArgs);
    const run = this.run(ctx, request).catch((err: unknown) =>
      this.opts.logger.error(
        { instance_uuid: request.instance.uuid, err: describe(err) },
        "Evacuation failed unexpectedly",
      ),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return null;
  }

  /** Resolves once every evacuation started so far has been handed to its destination (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(ctx: NovaContext, req: EvacuateRequest): Promise<void> {
    const { cellDb, logger, host: conductorHost } = this.opts;
    const uuid = req.instance.uuid ?? "";
    await this.event(() => cellDb.actions.eventStart(uuid, ctx.request_id, EVACUATE_EVENT, conductorHost));
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
      return this.finishEvent(uuid, ctx, err);
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
      const selections = (await this.opts.scheduler.selectDestinations(ctx, spec, [uuid]))[0] ?? [];
      if (selections.length === 0) throw new NoValidHost({ reason: "the scheduler answered no host" });
      const resources = flavorResources(row.flavor as Flavor);
      const alternates = selections.slice(1);
      let chosen: Selection | undefined = selections[0];
      while (
        chosen &&
        !(await isComputeUp(cellDb, chosen.service_host, this.opts.clock.now(), this.opts.serviceDownTime))
      ) {
        reasons.push(`${chosen.service_host}: the compute service is down`);
        await this.release(chosen, resources);
        chosen = await claimNextAlternate(this.opts, alternates, resources, reasons);
      }
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
      await this.finishEvent(uuid, ctx, null);
    } catch (err) {
      await this.fail(ctx, row, migration, err, reasons);
    }
  }

  private async fail(
    ctx: NovaContext,
    row: InstanceRecord,
    migration: MigrationRecord,
    err: unknown,
    reasons: string[],
  ): Promise<void> {
    const { cellDb, logger, host } = this.opts;
    try {
      await endMigration(cellDb, migration.id, { status: "error" }, logger, row);
    } catch (e) {
      if (!(e instanceof MigrationError)) throw e;
    }
    try {
      await cellDb.instances.update(
        row.uuid,
        { task_state: null, old_flavor: null, new_flavor: null },
        { expectedTaskState: ["rebuilding"] },
      );
    } catch (e) {
      logger.warn({ instance_uuid: row.uuid, err: describe(e) }, "Could not clear the evacuation's task");
    }
    await recordInstanceFault(cellDb, row.uuid, err, host, reasons.join("\n") || null).catch(() => undefined);
    await this.finishEvent(row.uuid, ctx, err);
    logger.warn({ instance_uuid: row.uuid, err: describe(err), tried: reasons }, "Evacuation failed");
  }

  private async release(sel: Selection, resources: ReturnType<typeof flavorResources>): Promise<void> {
    try {
      await this.opts.cellDb.computeNodes.release(sel.compute_node_uuid, resources);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    }
  }

  private async finishEvent(uuid: string, ctx: NovaContext, err: unknown): Promise<void> {
    await this.event(() =>
      this.opts.cellDb.actions.eventFinish(uuid, ctx.request_id, EVACUATE_EVENT, {
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
      this.opts.logger.warn({ err: describe(err) }, "Could not record the evacuation's event");
    }
  }
}

/** Decodes rebuild_instance's arguments; only evacuations (recreate) are served, or InvalidBuildRequest. */
export function parseEvacuateArgs(rawArgs: unknown): EvacuateRequest {
  if (typeof rawArgs !== "object" || rawArgs === null) throw new InvalidBuildRequest("no arguments");
  const a = rawArgs as Record<string, unknown>;
  if (a.recreate !== true) {
    throw new InvalidBuildRequest("rebuild_instance without recreate goes to the instance's host, not here");
  }
  try {
    const instance = InstanceCodec.fromPrimitive(a.instance, "instance");
    if (!instance.uuid) throw new InvalidBuildRequest("instance carries no uuid");
    const spec =
      a.request_spec === null || a.request_spec === undefined
        ? null
        : RequestSpecCodec.fromPrimitive(a.request_spec, "request_spec");
    return {
      instance,
      newPass: typeof a.new_pass === "string" ? a.new_pass : null,
      onSharedStorage: typeof a.on_shared_storage === "boolean" ? a.on_shared_storage : null,
      spec,
    };
  } catch (err) {
    if (err instanceof WireFormatError) throw new InvalidBuildRequest(err.message);
    throw err;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
