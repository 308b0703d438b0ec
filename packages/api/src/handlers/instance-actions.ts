import type { ServerRecord } from "../compute-backend.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { InstanceActionQuery } from "../instance-action-backend.js";
import type { PolicyTarget } from "../policy/policy-check.js";
import {
  checkDateTime,
  checkNonNegativeInteger,
  checkNoUnknown,
  lastValue,
  parseDateTime,
} from "../query-params.js";
import type { ApiRequest, Handler } from "../router.js";
import { instanceActionEventView, instanceActionView } from "../views/instance-action-view.js";

// nova/api/openstack/compute/instance_actions.py and nova/policies/instance_actions.py.
const POLICY = "os_compute_api:os-instance-actions";
const KNOWN_V258 = new Set(["limit", "marker", "changes-since"]);
const KNOWN_V266 = new Set([...KNOWN_V258, "changes-before"]);

/** Whether the caller passes a rule (Nova's `context.can(..., fatal=False)`). */
function allows(request: ApiRequest, rule: string, target: PolicyTarget): boolean {
  try {
    request.authorize(rule, target);
    return true;
  } catch (error) {
    if (HttpFault.isInstance(error) && error.status === 403) return false;
    throw error;
  }
}

/**
 * The server whose actions are asked for: from 2.21 a deleted one too (Nova reads with read_deleted=yes).
 * Another project's server is "not found" for a non-admin, as Nova's project-scoped read.
 */
async function actionServer(request: ApiRequest): Promise<ServerRecord> {
  const id = request.params.id!;
  try {
    const server = request.version.atLeast("2.21")
      ? await request.backend.getServerIncludingDeleted(request.context, id)
      : await request.backend.getServer(request.context, id);
    if (!request.context.isAdmin && server.projectId !== request.context.projectId) {
      throw HttpFault.notFound(`Instance ${id} could not be found.`);
    }
    return server;
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
}

/** The 2.58 query (limit, marker, changes-since; changes-before from 2.66), checked as Nova's schema does. */
function actionQuery(request: ApiRequest): InstanceActionQuery {
  const { query, version } = request;
  checkNonNegativeInteger(query, "limit");
  checkDateTime(query, "changes-since");
  if (version.atLeast("2.66")) checkDateTime(query, "changes-before");
  checkNoUnknown(query, version.atLeast("2.66") ? KNOWN_V266 : KNOWN_V258);
  const out: InstanceActionQuery = {};
  const since = lastValue(query, "changes-since");
  if (since !== undefined) out.changesSince = parseDateTime(since)!;
  const before = version.atLeast("2.66") ? lastValue(query, "changes-before") : undefined;
  if (before !== undefined) {
    out.changesBefore = parseDateTime(before)!;
    if (out.changesSince && out.changesBefore < out.changesSince) {
      throw HttpFault.badRequest("The value of changes-since must be less than or equal to changes-before.");
    }
  }
  return out;
}

/** `GET /servers/{id}/os-instance-actions`: the server's actions, newest first (paged from 2.58). */
const index: Handler = async (request) => {
  const paged = request.version.atLeast("2.58");
  // Nova validates the query schema before it loads the server or checks policy.
  const query = paged ? actionQuery(request) : {};
  const server = await actionServer(request);
  request.authorize(`${POLICY}:list`, { project_id: server.projectId });
  const maxLimit = request.config.max_limit;
  if (paged) {
    // Nova's get_limit_and_marker: the limit is capped at max_limit, and max_limit when none is given.
    const limit = lastValue(request.query, "limit");
    query.limit = Math.min(limit === undefined ? maxLimit : Number(limit), maxLimit);
    const marker = lastValue(request.query, "marker");
    if (marker !== undefined) query.marker = marker;
  }
  let actions: Awaited<ReturnType<typeof request.backend.listInstanceActions>>;
  try {
    actions = await request.backend.listInstanceActions(request.context, server.uuid, query);
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error)) throw HttpFault.badRequest(error.message);
    throw error;
  }
  const body: Record<string, unknown> = {
    instanceActions: actions.map((a) => instanceActionView(a, request.version)),
  };
  if (paged) {
    const links = request.links.collectionLinks(
      `servers/${request.params.id!}/os-instance-actions`,
      actions.map((a) => a.requestId),
      request.query,
      maxLimit,
    );
    if (links) body.links = links;
  }
  return { status: 200, body };
};

/**
 * `GET /servers/{id}/os-instance-actions/{request_id}`: one action; its events for admins (with
 * tracebacks), and from 2.51 for the owner too without them; hashed host ids from 2.62, the host itself for
 * admins; details from 2.84 under the events:details rule.
 */
const show: Handler = async (request) => {
  const { version } = request;
  const server = await actionServer(request);
  const target = { project_id: server.projectId };
  request.authorize(`${POLICY}:show`, target);
  const requestId = request.params.requestId!;
  const found = await request.backend.getInstanceAction(request.context, server.uuid, requestId);
  if (!found) throw HttpFault.notFound(`Action ${requestId} not found`);
  const action = instanceActionView(found.action, version);
  let showEvents = false;
  let showTraceback = false;
  let showHost = false;
  if (allows(request, `${POLICY}:events`, target)) {
    showEvents = showTraceback = true;
    showHost = version.atLeast("2.62");
  } else if (version.atLeast("2.51")) {
    showEvents = true;
  }
  if (showEvents) {
    const showDetails = version.atLeast("2.84") && allows(request, `${POLICY}:events:details`, target);
    const options = {
      // Events of periodic tasks have no project: Nova hashes with the server's then.
      projectId: found.action.projectId || server.projectId,
      showTraceback,
      showHost,
      showHostId: version.atLeast("2.62"),
      showDetails,
    };
    action.events = found.events.map((e) => instanceActionEventView(e, options));
  }
  return { status: 200, body: { instanceAction: action } };
};

/** os-instance-actions endpoints. */
export const instanceActionHandlers = { index, show };
