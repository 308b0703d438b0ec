import { type Clock, hasErrorCode, type Logger } from "@nova/core";
import type { CellDatabase, InstanceRecord, MigrationRecord, ResourceRequest } from "@nova/db";
import type { RequestContext } from "@nova/messaging";
import {
  type Instance,
  type InstanceActivityObserver,
  InstanceCodec,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  type TaskState,
  WireFormatError,
} from "@nova/objects";
import { fromWireContext, MigrationError, type NovaContext, type SchedulerAPI } from "@nova/rpcapi";
import { type AlternateClaimDeps, claimNextAlternate } from "./alternate-claims.js";
import { isComputeUp } from "./compute-liveness.js";
import { InvalidBuildRequest } from "./errors/invalid-build-request-error.js";
import { recordInstanceFault } from "./instance-fault.js";
import { endMigration } from "./migration-claims.js";

/** What the steps every move task shares (evacuate, live migrate, resize/migrate) work with. */
export interface MoveTaskDeps {
  /** The cell the instance lives in. */
  cellDb: CellDatabase;
  /** Where the move is logged. */
  logger: Logger;
  /** This conductor's host, recorded on faults and events. */
  host: string;
}

/** What every conductor task that schedules an instance onto a host works with, besides its compute client. */
export interface ScheduledTaskOptions extends MoveTaskDeps {
  /** Client of the `scheduler` topic (select_destinations claims the chosen host). */
  scheduler: SchedulerAPI;
  /** Judges compute liveness. */
  clock: Clock;
  /** `service_down_time` (s). */
  serviceDownTime: number;
  /**
   * The cell the manager moves instances in: the scheduler is asked for hosts of this cell only (Nova's
   * `_restrict_request_spec_to_cell`; cross-cell moves are off). Absent: no restriction.
   */
  cellUuid?: string | undefined;
}

/**
 * The spec with its requested destination narrowed to `cellUuid` (a host or node already named is kept), as
 * Nova's conductor does before it asks the scheduler for a move's destination.
 */
export function restrictToCell(
  spec: Partial<RequestSpec>,
  cellUuid: string | undefined,
): Partial<RequestSpec> {
  if (!cellUuid) return spec;
  const named = spec.requested_destination as
    | { "nova_object.data"?: Record<string, unknown>; "nova_object.changes"?: string[] }
    | null
    | undefined;
  const data = named?.["nova_object.data"] ?? {};
  const changes = named?.["nova_object.changes"] ?? Object.keys(data);
  return {
    ...spec,
    requested_destination: {
      "nova_object.name": "Destination",
      "nova_object.namespace": "nova",
      "nova_object.version": "1.4",
      "nova_object.data": {
        ...data,
        cell: {
          "nova_object.name": "CellMapping",
          "nova_object.namespace": "nova",
          "nova_object.version": "1.1",
          "nova_object.data": { uuid: cellUuid },
          "nova_object.changes": ["uuid"],
        },
      },
      "nova_object.changes": [...new Set([...changes, "cell"])],
    },
  };
}

/** How a move names itself in its action event and its logs. */
export interface MoveTaskLabels {
  /** The action event recorded while the conductor works on the move. */
  event: string;
  /** Capitalised, at the start of a log line ("Live migration"). */
  title: string;
  /** In a sentence ("live migration"). */
  noun: string;
}

/** How {@link MoveTaskSteps.rollBack} leaves a move that cannot go on. */
export interface MoveRollBack {
  /** The instance as last read. */
  row: InstanceRecord;
  /** The move's migration, ended in `error` (its claim given back); none when already ended. */
  migration: MigrationRecord | null;
  /** Why the move stopped. */
  err: unknown;
  /** Why each destination tried was refused. */
  reasons: string[];
  /** The task state the move set; cleared only while it is still that. */
  taskState: TaskState;
  /** Whether the move kept old_flavor/new_flavor on the row (cleared with the task). */
  clearFlavors: boolean;
  /** What the task state is called in the warning when it cannot be cleared. */
  taskWord: string;
  /** Told of the fault (metrics). */
  activity?: InstanceActivityObserver | undefined;
}

/**
 * The scaffolding a move task's manager repeats: running casts in the background (with drain), its action
 * event, giving claims back, ending its migration, and the rollback when the move cannot go on.
 */
export class MoveTaskSteps {
  private readonly inFlight = new Set<Promise<void>>();

  /** Steps over the manager's cell, logger and host, named by `labels`. */
  constructor(
    private readonly deps: MoveTaskDeps,
    private readonly labels: MoveTaskLabels,
  ) {}

  /**
   * A cast's handler: the arguments are decoded now (a bad request fails the call), the move runs in the
   * background.
   */
  cast<R extends { instance: Partial<Instance> }>(
    rawCtx: RequestContext,
    rawArgs: unknown,
    parse: (rawArgs: unknown) => R,
    run: (ctx: NovaContext, request: R) => Promise<void>,
  ): null {
    const ctx = fromWireContext(rawCtx);
    const request = parse(rawArgs);
    this.launch(request.instance.uuid, () => run(ctx, request));
    return null;
  }

  /** Runs `run` in the background; an unexpected failure is logged, never thrown. */
  private launch(uuid: string | undefined, run: () => Promise<void>): void {
    const started = run().catch((err: unknown) =>
      this.deps.logger.error(
        { instance_uuid: uuid, err: describeError(err) },
        `${this.labels.title} failed unexpectedly`,
      ),
    );
    this.inFlight.add(started);
    void started.finally(() => this.inFlight.delete(started));
  }

  /** Resolves once every run launched so far has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Records the start of the move's action event. */
  async startEvent(uuid: string, ctx: NovaContext): Promise<void> {
    await this.event(() =>
      this.deps.cellDb.actions.recordEventStart(uuid, ctx.request_id, this.labels.event, this.deps.host),
    );
  }

  /** Records the end of the move's action event: Success when `err` is null. */
  async finishEvent(uuid: string, ctx: NovaContext, err: unknown): Promise<void> {
    await this.event(() =>
      this.deps.cellDb.actions.recordEventFinish(uuid, ctx.request_id, this.labels.event, {
        result: err === null ? "Success" : "Error",
        details: err === null ? null : describeError(err),
      }),
    );
  }

  /** Gives back the claim the scheduler (or an alternate's turn) made on `sel`'s node; a node gone holds nothing. */
  async release(sel: Selection, resources: ResourceRequest): Promise<void> {
    try {
      await this.deps.cellDb.computeNodes.release(sel.compute_node_uuid, resources);
    } catch (err) {
      if (!hasErrorCode(err, "DB_NOT_FOUND")) throw err;
    }
  }

  /** Ends `migration` in `error` (giving back what it held) unless another step ended it first. */
  async endQuietly(migration: MigrationRecord, row: InstanceRecord): Promise<void> {
    try {
      await endMigration(this.deps.cellDb, migration.id, { status: "error" }, this.deps.logger, row);
    } catch (err) {
      if (!(err instanceof MigrationError)) throw err;
    }
  }

  /**
   * The move cannot go on: its migration ends in `error` (giving back the destination's claim), the instance
   * keeps its vm_state with no task (Nova's task rollback), a fault says why and the event ends in Error.
   */
  async rollBack(ctx: NovaContext, r: MoveRollBack): Promise<void> {
    const { cellDb, logger, host } = this.deps;
    const { row, err, reasons } = r;
    if (r.migration) await this.endQuietly(r.migration, row);
    try {
      await cellDb.instances.update(
        row.uuid,
        r.clearFlavors ? { task_state: null, old_flavor: null, new_flavor: null } : { task_state: null },
        { expectedTaskState: [r.taskState] },
      );
    } catch (e) {
      logger.warn(
        { instance_uuid: row.uuid, err: describeError(e) },
        `Could not clear the ${this.labels.noun}'s ${r.taskWord}`,
      );
    }
    await recordInstanceFault(cellDb, row.uuid, err, host, reasons.join("\n") || null, r.activity).catch(
      () => undefined,
    );
    await this.finishEvent(row.uuid, ctx, err);
    logger.warn(
      { instance_uuid: row.uuid, err: describeError(err), tried: reasons },
      `${this.labels.title} failed`,
    );
  }

  // The action history never decides a move's outcome.
  private async event(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.deps.logger.warn({ err: describeError(err) }, `Could not record the ${this.labels.noun}'s event`);
    }
  }
}

/**
 * The first selection whose compute is up, the scheduler's own pick or else the next alternate that can be
 * claimed: a pick whose compute is down gets its claim back and is noted in `reasons`. Undefined when none is left.
 */
export async function firstUpDestination(
  deps: AlternateClaimDeps,
  steps: Pick<MoveTaskSteps, "release">,
  first: Selection | undefined,
  alternates: Selection[],
  resources: ResourceRequest,
  reasons: string[],
): Promise<Selection | undefined> {
  const { cellDb, clock, serviceDownTime, serviceIsUp } = deps;
  let chosen = first;
  while (
    chosen &&
    !(await isComputeUp(cellDb, chosen.service_host, clock.now(), serviceDownTime, serviceIsUp))
  ) {
    reasons.push(`${chosen.service_host}: the compute service is down`);
    await steps.release(chosen, resources);
    chosen = await claimNextAlternate(deps, alternates, resources, reasons);
  }
  return chosen;
}

/** The fields every conductor task's RPC arguments carry: the instance and its request spec. */
export interface TaskArgs {
  /** The instance, which has a uuid. */
  instance: Partial<Instance>;
  /** The request spec; null when none was sent. */
  spec: Partial<RequestSpec> | null;
}

/** A task's RPC arguments as a record, or InvalidBuildRequest when there are none. */
export function taskArgsRecord(rawArgs: unknown): Record<string, unknown> {
  if (typeof rawArgs !== "object" || rawArgs === null) throw new InvalidBuildRequest("no arguments");
  return rawArgs as Record<string, unknown>;
}

/**
 * Decodes a task's instance and request spec and hands them to `more` for the rest; a wire format error (here or
 * in `more`) becomes InvalidBuildRequest, as does an instance without uuid.
 */
export function decodeTaskArgs<T>(args: Record<string, unknown>, more: (decoded: TaskArgs) => T): T {
  try {
    const instance = InstanceCodec.fromPrimitive(args.instance, "instance");
    if (!instance.uuid) throw new InvalidBuildRequest("instance carries no uuid");
    const spec =
      args.request_spec === null || args.request_spec === undefined
        ? null
        : RequestSpecCodec.fromPrimitive(args.request_spec, "request_spec");
    return more({ instance, spec });
  } catch (err) {
    if (err instanceof WireFormatError) throw new InvalidBuildRequest(err.message);
    throw err;
  }
}

/** An error's message, for logs, events and faults. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
