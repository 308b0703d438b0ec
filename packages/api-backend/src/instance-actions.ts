import {
  type InstanceActionEventRecord,
  type InstanceActionQuery,
  type InstanceActionRecord,
  MarkerNotFoundError,
  type RequestContext,
  type ResetState,
} from "@nova/api";
import { hasErrorCode } from "@nova/core";
import type { CellDatabase } from "@nova/db";
import type { InstanceAction, InstanceActionEvent } from "@nova/objects";

/** Nova's instance_actions.RESET_STATE. */
const RESET_STATE_ACTION = "resetState";

function actionRecord(a: InstanceAction): InstanceActionRecord {
  return {
    action: a.action ?? "",
    instanceUuid: a.instance_uuid ?? "",
    requestId: a.request_id ?? "",
    userId: a.user_id ?? null,
    projectId: a.project_id ?? null,
    startTime: a.start_time ?? a.created_at ?? new Date(0),
    message: a.message ?? null,
    updatedAt: a.updated_at ?? null,
  };
}

function eventRecord(e: InstanceActionEvent): InstanceActionEventRecord {
  return {
    event: e.event ?? "",
    startTime: e.start_time ?? e.created_at ?? new Date(0),
    finishTime: e.finish_time ?? null,
    result: e.result ?? null,
    traceback: e.traceback ?? null,
    host: e.host ?? null,
    details: e.details ?? null,
  };
}

/** Nova's InstanceActionAPI.actions_get over the instance's cell: newest first, filtered and paged. */
export async function listInstanceActions(
  db: CellDatabase,
  uuid: string,
  query: InstanceActionQuery,
): Promise<InstanceActionRecord[]> {
  const rows = await db.actions
    .list(uuid, {
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.marker !== undefined ? { markerRequestId: query.marker } : {}),
      ...(query.changesSince ? { changesSince: query.changesSince } : {}),
      ...(query.changesBefore ? { changesBefore: query.changesBefore } : {}),
    })
    .catch((err: unknown) => {
      if (hasErrorCode(err, "DB_MARKER_NOT_FOUND")) throw new MarkerNotFoundError(query.marker ?? "");
      throw err;
    });
  return rows.map(actionRecord);
}

/** One action by request id with its events newest first (Nova's action_events_get order), or null. */
export async function getInstanceAction(
  db: CellDatabase,
  uuid: string,
  requestId: string,
): Promise<{ action: InstanceActionRecord; events: InstanceActionEventRecord[] } | null> {
  let action: InstanceAction;
  try {
    action = await db.actions.getByRequestId(uuid, requestId);
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return null;
    throw err;
  }
  const events = await db.actions.events(action.id!);
  return { action: actionRecord(action), events: events.reverse().map(eventRecord) };
}

/**
 * Nova's os-resetState: a `resetState` action started, vm_state set with task_state none (unconditionally,
 * as Nova's save with admin_state_reset), the action finished.
 */
export async function resetServerState(
  db: CellDatabase,
  ctx: RequestContext,
  uuid: string,
  state: ResetState,
): Promise<void> {
  await db.actions.start({
    instance_uuid: uuid,
    action: RESET_STATE_ACTION,
    request_id: ctx.requestId,
    user_id: ctx.userId,
    project_id: ctx.projectId,
  });
  await db.instances.updateWithoutReload(uuid, { vm_state: state, task_state: null });
  await db.actions.finish(uuid, ctx.requestId);
}
