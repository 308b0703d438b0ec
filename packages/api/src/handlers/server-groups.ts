import { createServerGroupRequestSchemaFor } from "@nova/client";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { ServerGroupNotFoundError } from "../errors/server-group-not-found.js";
import { HttpFault } from "../http-fault.js";
import { checkNonNegativeInteger, checkNoUnknown, lastValue } from "../query-params.js";
import type { Handler } from "../router.js";
import type { ServerGroupCreateSpec, ServerGroupPolicy, ServerGroupRecord } from "../server-group-backend.js";
import { validateBody } from "../validation.js";
import { serverGroupView } from "../views/server-group-view.js";

// nova/api/openstack/compute/server_groups.py: project-scoped groups; show and delete check the policy
// against the group's own project once the group is found (a missing group is a 404 first).

const RULE = "os_compute_api:os-server-groups:";

function notFound(error: unknown): never {
  if (ServerGroupNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
  throw error;
}

const listServerGroups: Handler = async (request) => {
  const { query, version, context } = request;
  if (version.atLeast("2.75")) checkNoUnknown(query, new Set(["all_projects", "limit", "offset"]));
  checkNonNegativeInteger(query, "limit");
  checkNonNegativeInteger(query, "offset");
  request.authorize(`${RULE}index`, { project_id: context.projectId });
  // Nova: a non-admin asking for all projects silently gets their own (kept for compatibility).
  const all = query.has("all_projects") && context.isAdmin;
  if (all) request.authorize(`${RULE}index:all_projects`, { project_id: context.projectId });
  // common.limited: limit 0 or absent means max_limit, and never more than it.
  const maxLimit = request.config.max_limit;
  const limit = Number(lastValue(query, "limit") ?? 0);
  const groups = await request.backend.listServerGroups(context, {
    ...(all ? {} : { projectId: context.projectId }),
    limit: Math.min(maxLimit, limit || maxLimit),
    offset: Number(lastValue(query, "offset") ?? 0),
  });
  return { status: 200, body: { server_groups: groups.map((g) => serverGroupView(g, version)) } };
};

const createServerGroup: Handler = async (request) => {
  const { server_group: asked } = validateBody(
    createServerGroupRequestSchemaFor(request.version),
    request.body,
  );
  request.authorize(`${RULE}create`, { project_id: request.context.projectId });
  const spec: ServerGroupCreateSpec =
    "policy" in asked
      ? {
          name: asked.name,
          policy: asked.policy,
          rules:
            asked.rules?.max_server_per_host !== undefined
              ? { max_server_per_host: Number(asked.rules.max_server_per_host) }
              : {},
        }
      : { name: asked.name, policy: asked.policies[0] as ServerGroupPolicy, rules: {} };
  // Nova checks this after the quota; only anti-affinity takes rules (an empty object is no rules).
  if (spec.policy !== "anti-affinity" && Object.keys(spec.rules).length > 0) {
    throw HttpFault.badRequest("Only anti-affinity policy supports rules.");
  }
  let created: ServerGroupRecord;
  try {
    created = await request.backend.createServerGroup(request.context, spec);
  } catch (error) {
    if (QuotaExceededError.isInstance(error)) throw HttpFault.forbidden(error.message);
    if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
    throw error;
  }
  return { status: 200, body: { server_group: serverGroupView(created, request.version) } };
};

const showServerGroup: Handler = async (request) => {
  const group = await request.backend.getServerGroup(request.context, request.params.id!).catch(notFound);
  request.authorize(`${RULE}show`, { project_id: group.projectId });
  return { status: 200, body: { server_group: serverGroupView(group, request.version) } };
};

const deleteServerGroup: Handler = async (request) => {
  const id = request.params.id!;
  const group = await request.backend.getServerGroup(request.context, id).catch(notFound);
  request.authorize(`${RULE}delete`, { project_id: group.projectId });
  await request.backend.deleteServerGroup(request.context, id).catch(notFound);
  return { status: 204 };
};

/** `os-server-groups` endpoints. */
export const serverGroupHandlers = {
  index: listServerGroups,
  create: createServerGroup,
  show: showServerGroup,
  delete: deleteServerGroup,
};
