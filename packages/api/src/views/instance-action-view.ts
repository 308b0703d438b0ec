import type { ApiVersion } from "@nova/client";
import type { InstanceActionEventRecord, InstanceActionRecord } from "../instance-action-backend.js";
import { hostId } from "./host-id.js";
import { naiveIsoTime } from "./time-format.js";

/** An action as Nova's instance_actions controller formats it (ACTION_KEYS, plus updated_at from 2.58). */
export function instanceActionView(
  action: InstanceActionRecord,
  version: ApiVersion,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    action: action.action,
    instance_uuid: action.instanceUuid,
    request_id: action.requestId,
    user_id: action.userId,
    project_id: action.projectId,
    start_time: naiveIsoTime(action.startTime),
    message: action.message,
  };
  if (version.atLeast("2.58")) out.updated_at = action.updatedAt ? naiveIsoTime(action.updatedAt) : null;
  return out;
}

/** Which event fields the caller may see (Nova's `_format_event` switches). */
export interface EventViewOptions {
  /** The project whose hash hides the host (the action's, else the server's). */
  projectId: string;
  /** Admins (events policy) see tracebacks. */
  showTraceback: boolean;
  /** Admins see the host from 2.62. */
  showHost: boolean;
  /** Everyone sees the hashed host from 2.62. */
  showHostId: boolean;
  /** The events:details policy from 2.84. */
  showDetails: boolean;
}

/** An event with the fields the options allow. */
export function instanceActionEventView(
  event: InstanceActionEventRecord,
  options: EventViewOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    event: event.event,
    start_time: naiveIsoTime(event.startTime),
    finish_time: event.finishTime ? naiveIsoTime(event.finishTime) : null,
    result: event.result,
  };
  if (options.showTraceback) out.traceback = event.traceback;
  if (options.showHost) out.host = event.host;
  if (options.showHostId) out.hostId = hostId(options.projectId, event.host);
  if (options.showDetails) out.details = event.details;
  return out;
}
