import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, InstanceRecord } from "@nova/db";
import type { InstanceActivityObserver, RequestSpec, Selection } from "@nova/objects";
import type { ComputeAPI, NovaContext } from "@nova/rpcapi";
import { isComputeUp, type ServiceIsUp } from "./compute-liveness.js";
import { instanceResources, releaseOnNode } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";
import { decodeTaskArgs, describeError as describe, type ScheduledTaskOptions } from "./move-task.js";

/** What the conductor's unshelve works with. */
export interface UnshelveTaskDeps extends ScheduledTaskOptions {
  /** The API database (the instance's request spec). */
  apiDb: ApiDatabase;
  /** start_instance and unshelve_instance on `compute.<host>`. */
  compute: ComputeAPI;
  /** The servicegroup driver's liveness when `servicegroup_driver` names a plug-in; the heartbeat stamps otherwise. */
  serviceIsUp?: ServiceIsUp | undefined;
  /** Told of reschedules and faults (metrics); none by default. */
  activity?: InstanceActivityObserver | undefined;
}

/** The event recorded on the `unshelve` action while the conductor schedules (Nova's EventReporter). */
export const UNSHELVE_SCHEDULE_EVENT = "schedule_instances";

/** unshelve_instance's arguments decoded: the instance and the request spec (null: the stored one). */
export function parseUnshelveArgs(rawArgs: unknown): { uuid: string; spec: Partial<RequestSpec> | null } {
  return decodeTaskArgs((rawArgs ?? {}) as Record<string, unknown>, ({ instance, spec }) => ({
    uuid: instance.uuid ?? "",
    spec,
  }));
}

/**
 * Nova's conductor unshelve_instance. A SHELVED instance (its guest still on its host) is started there: task
 * powering-on, start_instance. A SHELVED_OFFLOADED one is scheduled with its request spec (forced hosts reset;
 * the API set the zone and any requested host), which claims the chosen host; the row moves to that host and
 * zone (holding the claim), and unshelve_instance is called there. When the compute fails, the row goes back
 * to SHELVED_OFFLOADED with no host and the claim is given back, by the compute's own save or, when it never
 * answered, here. No valid host: the task is cleared and the instance stays offloaded, as Nova.
 */
export async function unshelveInstance(
  deps: UnshelveTaskDeps,
  ctx: NovaContext,
  uuid: string,
  given: Partial<RequestSpec> | null,
): Promise<void> {
  const { cellDb, compute, logger } = deps;
  const log = { instance_uuid: uuid, request_id: ctx.request_id };
  const row = await cellDb.instances.get(uuid);
  if (row.task_state !== "unshelving") {
    logger.warn({ ...log, task_state: row.task_state }, "Unshelve of an instance not unshelving; ignored");
    return;
  }
  if (row.vm_state === "shelved" && row.host) {
    const starting = await cellDb.instances.update(
      uuid,
      { task_state: "powering-on" },
      { expectedTaskState: "unshelving" },
    );
    await compute.startInstance(ctx, row.host, starting);
    return;
  }
  if (row.vm_state !== "shelved_offloaded") {
    logger.error(
      { ...log, vm_state: row.vm_state },
      "Unshelve attempted but vm_state not SHELVED or SHELVED_OFFLOADED",
    );
    await cellDb.instances.update(
      uuid,
      { vm_state: "error", task_state: null },
      { expectedTaskState: "unshelving" },
    );
    return;
  }
  const spec = given ?? (await deps.apiDb.requestSpecs.getByInstanceUuid(uuid));
  await event(deps, uuid, ctx, "start");
  let selection: Selection | undefined;
  try {
    const lists = await deps.scheduler.selectDestinations(
      ctx,
      { ...spec, instance_uuid: uuid, num_instances: 1, force_hosts: null, force_nodes: null },
      [uuid],
    );
    selection = lists[0]?.[0];
    if (!selection) throw new Error("the scheduler answered no host");
  } catch (err) {
    logger.warn({ ...log, err: describe(err) }, "No valid host found for unshelve instance");
    await event(deps, uuid, ctx, "finish", err);
    await cellDb.instances
      .update(uuid, { task_state: null }, { expectedTaskState: "unshelving" })
      .catch(() => undefined);
    return;
  }
  await event(deps, uuid, ctx, "finish");
  const host = selection.service_host;
  const node = selection.nodename;
  const resources = instanceResources(row);
  let placed: InstanceRecord;
  try {
    placed = await cellDb.instances.update(
      uuid,
      {
        host,
        node,
        ...(selection.availability_zone ? { availability_zone: selection.availability_zone } : {}),
      },
      { expectedVmState: "shelved_offloaded", expectedTaskState: "unshelving" },
    );
  } catch (err) {
    // Deleted or moved on meanwhile: the claim is still the conductor's to give back.
    await releaseQuietly(deps, selection, resources);
    logger.warn({ ...log, err: describe(err) }, "Instance moved on before it was unshelved");
    return;
  }
  try {
    if (!(await isComputeUp(cellDb, host, deps.clock.now(), deps.serviceDownTime, deps.serviceIsUp))) {
      throw new Error(`the compute service on ${host} is down`);
    }
    await compute.unshelveInstance(ctx, host, {
      instance: placed,
      image: null,
      filter_properties: { limits: selection.limits ?? {} },
      node,
      request_spec: spec,
    });
    logger.info({ ...log, host, node }, "Instance unshelved");
  } catch (err) {
    logger.warn({ ...log, host, err: describe(err) }, "Unshelve failed on the compute");
    await giveBack(deps, uuid, host, err);
  }
}

// The compute's failure save already took the row off the host (and released); if it never answered, do it here.
async function giveBack(deps: UnshelveTaskDeps, uuid: string, host: string, err: unknown): Promise<void> {
  const { cellDb } = deps;
  let before: InstanceRecord;
  try {
    before = await cellDb.instances.get(uuid);
  } catch (e) {
    if (hasErrorCode(e, "DB_NOT_FOUND")) return;
    throw e;
  }
  if (before.host !== host || before.vm_state !== "shelved_offloaded") return;
  try {
    await cellDb.instances.update(
      uuid,
      { host: null, node: null, task_state: null },
      { expectedVmState: "shelved_offloaded", expectedTaskState: ["unshelving", "spawning"] },
    );
  } catch {
    return; // The compute (or a delete) got there first.
  }
  await releaseOnNode(cellDb, before.host, before.node, instanceResources(before));
  await recordInstanceFault(cellDb, uuid, err, deps.host, null, deps.activity).catch(() => undefined);
}

async function releaseQuietly(
  deps: UnshelveTaskDeps,
  sel: Selection,
  resources: ReturnType<typeof instanceResources>,
) {
  await deps.cellDb.computeNodes.release(sel.compute_node_uuid, resources).catch((err: unknown) => {
    deps.logger.error({ node: sel.compute_node_uuid, err: describe(err) }, "Could not release a claim");
  });
}

// The action history never decides the outcome.
async function event(
  deps: UnshelveTaskDeps,
  uuid: string,
  ctx: NovaContext,
  phase: "start" | "finish",
  err?: unknown,
): Promise<void> {
  try {
    if (phase === "start") {
      await deps.cellDb.actions.eventStart(uuid, ctx.request_id, UNSHELVE_SCHEDULE_EVENT, deps.host);
    } else {
      await deps.cellDb.actions.eventFinish(uuid, ctx.request_id, UNSHELVE_SCHEDULE_EVENT, {
        result: err === undefined ? "Success" : "Error",
        details: err === undefined ? null : describe(err),
      });
    }
  } catch (e) {
    deps.logger.warn({ instance_uuid: uuid, err: describe(e) }, "Could not record the unshelve event");
  }
}
