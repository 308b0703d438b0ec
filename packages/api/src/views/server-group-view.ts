import type { ApiVersion } from "@nova/client";
import type { ServerGroupRecord } from "../server-group-backend.js";

/**
 * A server group as Nova's `_format_server_group` shows it: `policies` and an empty `metadata` before 2.64,
 * `policy` and `rules` from 2.64; `project_id` and `user_id` from 2.13.
 */
export function serverGroupView(group: ServerGroupRecord, version: ApiVersion): Record<string, unknown> {
  const out: Record<string, unknown> = { id: group.uuid, name: group.name };
  if (version.atLeast("2.64")) {
    out.policy = group.policy;
    out.rules = { ...group.rules };
  } else {
    out.policies = [group.policy];
    out.metadata = {};
  }
  out.members = [...group.members];
  if (version.atLeast("2.13")) {
    out.project_id = group.projectId;
    out.user_id = group.userId;
  }
  return out;
}
