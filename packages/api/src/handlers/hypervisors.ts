import { type ApiVersion, isUuidLike } from "@nova/client";
import { HypervisorNotFoundError } from "../errors/hypervisor-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import type { HostServer, HypervisorQuery, HypervisorRecord } from "../host-records.js";
import { HttpFault } from "../http-fault.js";
import { pythonRepr } from "../python-repr.js";
import { checkNonNegativeInteger, checkNoUnknown, invalidQuery, lastValue } from "../query-params.js";
import type { ApiReply, ApiRequest, Handler } from "../router.js";
import { hypervisorStatisticsView, hypervisorView } from "../views/hypervisor-view.js";

// 2.53 turns ids into uuids and replaces the search and servers routes with query parameters.
const UUID_FOR_ID = "2.53";
const LIST_KNOWN = new Set(["limit", "marker", "hypervisor_hostname_pattern", "with_servers"]);
const SHOW_KNOWN = new Set(["with_servers"]);
// Nova's parameter_types.boolean enum, as its schema errors list it.
const BOOLEAN_WORDS = ["True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"];
const FALSE_WORDS = ["False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"];
const BOOLEAN_ENUM = `[True, ${BOOLEAN_WORDS.map((w) => pythonRepr(w)).join(", ")}, False, ${FALSE_WORDS.map((w) => pythonRepr(w)).join(", ")}]`;

function authorize(request: ApiRequest, rule: string): void {
  // Nova checks these with an empty target: the rules concern no project.
  request.authorize(`os_compute_api:os-hypervisors:${rule}`, {});
}

/** `with_servers`, validated as Nova's schema does (its boolean words) and read as bool_from_string. */
function withServersParam(query: URLSearchParams): boolean {
  for (const value of query.getAll("with_servers")) {
    if (!BOOLEAN_WORDS.includes(value) && !FALSE_WORDS.includes(value)) {
      throw invalidQuery("with_servers", value, `${pythonRepr(value)} is not one of ${BOOLEAN_ENUM}`);
    }
  }
  const value = lastValue(query, "with_servers");
  return value !== undefined && BOOLEAN_WORDS.includes(value);
}

function checkHostnamePattern(query: URLSearchParams): void {
  for (const value of query.getAll("hypervisor_hostname_pattern")) {
    if (value.length === 0) throw invalidQuery("hypervisor_hostname_pattern", value, "'' is too short");
    if (value.length > 255)
      throw invalidQuery("hypervisor_hostname_pattern", value, `${pythonRepr(value)} is too long`);
    if (!/^[a-zA-Z0-9-._]*$/.test(value)) {
      throw invalidQuery(
        "hypervisor_hostname_pattern",
        value,
        `${pythonRepr(value)} does not match '^[a-zA-Z0-9-._]*$'`,
      );
    }
  }
}

/** Nodes matching a hostname pattern, or Nova's 404 when none does. */
async function searchByPattern(request: ApiRequest, pattern: string): Promise<HypervisorRecord[]> {
  const found = await request.backend.listHypervisors(request.context, { hostnamePattern: pattern });
  if (found.length === 0) throw HttpFault.notFound(`No hypervisor matching '${pattern}' could be found.`);
  return found;
}

async function serversOf(request: ApiRequest, host: string): Promise<HostServer[]> {
  return request.backend.listHostServers(request.context, host);
}

/** Nova's `_get_hypervisors` for index and detail across 2.1, 2.33 and 2.53. */
async function listHypervisors(request: ApiRequest, detail: boolean): Promise<ApiReply> {
  const { query, version } = request;
  const paged = version.atLeast("2.33");
  let pattern: string | undefined;
  let withServers = false;
  if (paged) {
    checkNonNegativeInteger(query, "limit");
    if (version.atLeast(UUID_FOR_ID)) {
      checkHostnamePattern(query);
      withServers = withServersParam(query);
      checkNoUnknown(query, LIST_KNOWN);
      pattern = lastValue(query, "hypervisor_hostname_pattern");
    }
  }
  // Nova validates the query before it checks policy.
  authorize(request, detail ? "list-detail" : "list");
  const limitText = paged ? lastValue(query, "limit") : undefined;
  const marker = paged ? lastValue(query, "marker") : undefined;
  let nodes: HypervisorRecord[];
  if (pattern !== undefined) {
    if (query.has("limit") || marker) {
      throw HttpFault.badRequest(
        "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.",
      );
    }
    nodes = await searchByPattern(request, pattern);
  } else {
    const page: HypervisorQuery = {};
    if (paged) {
      const max = request.config.max_limit;
      page.limit = Math.min(max, limitText !== undefined ? Number(limitText) : max);
      if (marker !== undefined) page.marker = marker;
    }
    try {
      nodes = await request.backend.listHypervisors(request.context, page);
    } catch (error) {
      if (MarkerNotFoundError.isInstance(error)) throw HttpFault.badRequest(`marker [${marker}] not found`);
      throw error;
    }
  }
  const hypervisors = [];
  for (const node of nodes) {
    const servers = withServers ? await serversOf(request, node.host) : undefined;
    hypervisors.push(hypervisorView(node, version, { detail, servers, withServers }));
  }
  const body: Record<string, unknown> = { hypervisors };
  if (paged && pattern === undefined) {
    const links = request.links.collectionLinks(
      detail ? "os-hypervisors/detail" : "os-hypervisors",
      hypervisors.map((h) => String(h.id)),
      query,
      request.config.max_limit,
    );
    if (links) body.hypervisors_links = links;
  }
  return { status: 200, body };
}

/** A uuid from 2.53 (else 400), an integer before (else 404), as Nova's `_validate_id` checks. */
function checkHypervisorId(version: ApiVersion, id: string): void {
  if (version.atLeast(UUID_FOR_ID)) {
    if (!isUuidLike(id)) throw HttpFault.badRequest(`Invalid uuid ${id}`);
  } else if (!/^\s*[-+]?\d+\s*$/.test(id)) {
    throw HttpFault.notFound(`Hypervisor with ID '${id}' could not be found.`);
  }
}

const showHypervisor: Handler = async (request) => {
  const { query, version } = request;
  let withServers = false;
  if (version.atLeast(UUID_FOR_ID)) {
    withServers = withServersParam(query);
    checkNoUnknown(query, SHOW_KNOWN);
  }
  authorize(request, "show");
  const id = request.params.id!;
  checkHypervisorId(version, id);
  let node: HypervisorRecord;
  try {
    node = await request.backend.getHypervisor(request.context, id.trim());
  } catch (error) {
    if (HypervisorNotFoundError.isInstance(error)) {
      throw HttpFault.notFound(`Hypervisor with ID '${id}' could not be found.`);
    }
    throw error;
  }
  const servers = withServers ? await serversOf(request, node.host) : undefined;
  return {
    status: 200,
    body: { hypervisor: hypervisorView(node, version, { detail: true, servers, withServers }) },
  };
};

/** `GET /os-hypervisors/{pattern}/search` (2.1-2.52). */
const searchHypervisors: Handler = async (request) => {
  if (request.version.atLeast(UUID_FOR_ID)) throw HttpFault.notFound();
  authorize(request, "search");
  const nodes = await searchByPattern(request, request.params.pattern!);
  return {
    status: 200,
    body: { hypervisors: nodes.map((n) => hypervisorView(n, request.version, { detail: false })) },
  };
};

/** `GET /os-hypervisors/{pattern}/servers` (2.1-2.52): servers shown only where there are some. */
const hypervisorServers: Handler = async (request) => {
  if (request.version.atLeast(UUID_FOR_ID)) throw HttpFault.notFound();
  authorize(request, "servers");
  const nodes = await searchByPattern(request, request.params.pattern!);
  const hypervisors = [];
  for (const node of nodes) {
    const servers = await serversOf(request, node.host);
    hypervisors.push(hypervisorView(node, request.version, { detail: false, servers }));
  }
  return { status: 200, body: { hypervisors } };
};

/** `GET /os-hypervisors/statistics` (2.1-2.87). */
const hypervisorStatistics: Handler = async (request) => {
  if (request.version.atLeast("2.88")) throw HttpFault.notFound();
  authorize(request, "statistics");
  const stats = await request.backend.hypervisorStatistics(request.context);
  return { status: 200, body: { hypervisor_statistics: hypervisorStatisticsView(stats) } };
};

/** `GET /os-hypervisors/{id}/uptime` (2.1-2.87; from 2.88 the detail view carries `uptime`). */
const hypervisorUptime: Handler = async (request) => {
  const { version } = request;
  if (version.atLeast("2.88")) throw HttpFault.notFound();
  authorize(request, "uptime");
  const id = request.params.id!;
  checkHypervisorId(version, id);
  let node: HypervisorRecord;
  try {
    node = await request.backend.getHypervisor(request.context, id.trim());
  } catch (error) {
    if (HypervisorNotFoundError.isInstance(error)) {
      throw HttpFault.notFound(`Hypervisor with ID '${id}' could not be found.`);
    }
    throw error;
  }
  const uptime = await request.backend.hypervisorUptime(request.context, node.host);
  if (uptime === null) throw HttpFault.notImplemented();
  return {
    status: 200,
    body: { hypervisor: { ...hypervisorView(node, version, { detail: false }), uptime } },
  };
};

/** os-hypervisors endpoints (admin only by Nova's default policy). */
export const hypervisorHandlers = {
  index: (request: ApiRequest) => listHypervisors(request, false),
  detail: (request: ApiRequest) => listHypervisors(request, true),
  show: showHypervisor,
  search: searchHypervisors,
  servers: hypervisorServers,
  statistics: hypervisorStatistics,
  uptime: hypervisorUptime,
};
