import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { HttpFault } from "../http-fault.js";
import { checkNonNegativeInteger, checkNoUnknown, lastValue } from "../query-params.js";
import type { UsageQuery, UsageServer } from "../quota-backend.js";
import type { ApiRequest, Handler } from "../router.js";
import { naiveIsoTime } from "../views/time-format.js";

// nova/api/openstack/compute/simple_tenant_usage.py: usage (hours x flavor sizes) of the servers active in a
// window, per project; paged from 2.40.

const COLLECTION = "os-simple-tenant-usage";

// Nova's _parse_datetime formats (naive, read as UTC): seconds, then microseconds with a T or a space.
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Nova's `_parse_datetime`: now when absent or empty; a 400 when not in one of its formats. */
function parseDateTime(value: string | undefined, now: Date): Date {
  if (!value) return now;
  const m = DATETIME.exec(value);
  // "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f" and "%Y-%m-%d %H:%M:%S.%f" only: a space needs the fraction.
  const ok = m !== null && (m[4] === "T" || m[8] !== undefined);
  const date = ok
    ? new Date(
        Date.UTC(
          Number(m[1]),
          Number(m[2]) - 1,
          Number(m[3]),
          Number(m[5]),
          Number(m[6]),
          Number(m[7]),
          Math.floor(Number((m[8] ?? "0").padEnd(6, "0")) / 1000),
        ),
      )
    : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(m![3])) {
    throw HttpFault.badRequest("Invalid datetime string: Datetime is in invalid format");
  }
  return date;
}

/** The window of a request (`start`, `end`: first values), `end` capped at now; 400 when start >= end. */
function usageWindow(request: ApiRequest): { start: Date; end: Date } {
  const now = new Date();
  const start = parseDateTime(request.query.getAll("start")[0], now);
  const end = parseDateTime(request.query.getAll("end")[0], now);
  if (!(start < end)) {
    throw HttpFault.badRequest("Invalid start time. The start time cannot occur after the end time.");
  }
  return { start, end: end > now ? now : end };
}

/** Nova's `_hours_for`: the hours of the window the server was up in. */
function hoursFor(server: UsageServer, start: Date, end: Date): number {
  const { launchedAt, terminatedAt } = server;
  if (terminatedAt && terminatedAt < start) return 0;
  if (!launchedAt || launchedAt > end) return 0;
  const from = launchedAt > start ? launchedAt : start;
  const to = terminatedAt && terminatedAt < end ? terminatedAt : end;
  return (to.getTime() - from.getTime()) / 3_600_000;
}

interface TenantUsage {
  tenant_id: string;
  server_usages?: Record<string, unknown>[];
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
  start: string;
  stop: string;
}

/** Nova's `_tenant_usages_for_period`: per-project totals (and each server's usage when `detailed`). */
function tenantUsages(
  servers: readonly UsageServer[],
  start: Date,
  end: Date,
  detailed: boolean,
): TenantUsage[] {
  const byProject = new Map<string, TenantUsage>();
  const now = Date.now();
  for (const server of servers) {
    const hours = hoursFor(server, start, end);
    const flavor = server.flavor;
    if (!flavor || !server.launchedAt) continue;
    const endedAt = server.terminatedAt;
    const info = {
      hours,
      flavor: flavor.name,
      instance_id: server.uuid,
      name: server.name,
      tenant_id: server.projectId,
      memory_mb: flavor.memoryMb,
      local_gb: flavor.rootGb + flavor.ephemeralGb,
      vcpus: flavor.vcpus,
      started_at: naiveIsoTime(server.launchedAt),
      ended_at: endedAt ? naiveIsoTime(endedAt) : null,
      state: endedAt ? "terminated" : server.vmState,
      uptime: Math.trunc(((endedAt ? endedAt.getTime() : now) - server.launchedAt.getTime()) / 1000),
    };
    let summary = byProject.get(server.projectId);
    if (!summary) {
      summary = {
        tenant_id: server.projectId,
        ...(detailed ? { server_usages: [] } : {}),
        total_local_gb_usage: 0,
        total_vcpus_usage: 0,
        total_memory_mb_usage: 0,
        total_hours: 0,
        start: naiveIsoTime(start),
        stop: naiveIsoTime(end),
      };
      byProject.set(server.projectId, summary);
    }
    summary.total_local_gb_usage += info.local_gb * hours;
    summary.total_vcpus_usage += info.vcpus * hours;
    summary.total_memory_mb_usage += info.memory_mb * hours;
    summary.total_hours += hours;
    summary.server_usages?.push(info);
  }
  return [...byProject.values()];
}

/** The servers of the window, paged from 2.40 (`limit`, `marker`), else up to `[api] max_limit`. */
async function usageServers(
  request: ApiRequest,
  window: { start: Date; end: Date },
  projectId: string | null,
) {
  const paged = request.version.atLeast("2.40");
  const maxLimit = request.config.max_limit;
  const query: UsageQuery = { ...window, projectId, limit: maxLimit };
  if (paged) {
    checkNonNegativeInteger(request.query, "limit");
    const limit = lastValue(request.query, "limit");
    if (limit !== undefined) query.limit = Math.min(Number(limit), maxLimit);
    const marker = lastValue(request.query, "marker");
    if (marker !== undefined) query.marker = marker;
  }
  try {
    return { paged, servers: await request.backend.listUsageServers(request.context, query) };
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error)) throw HttpFault.badRequest(error.message);
    throw error;
  }
}

const INDEX_QUERY = new Set(["start", "end", "detailed", "limit", "marker"]);
const SHOW_QUERY = new Set(["start", "end", "limit", "marker"]);

const listTenantUsages: Handler = async (request) => {
  request.authorize("os_compute_api:os-simple-tenant-usage:list", {});
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, INDEX_QUERY);
  const window = usageWindow(request);
  const detailed = request.query.getAll("detailed")[0] === "1";
  const { paged, servers } = await usageServers(request, window, null);
  const body: Record<string, unknown> = {
    tenant_usages: tenantUsages(servers, window.start, window.end, detailed),
  };
  if (paged) {
    const links = request.links.collectionLinks(
      COLLECTION,
      servers.map((s) => s.uuid),
      request.query,
      request.config.max_limit,
    );
    if (links) body.tenant_usages_links = links;
  }
  return { status: 200, body };
};

const showTenantUsage: Handler = async (request) => {
  const projectId = request.params.id!;
  request.authorize("os_compute_api:os-simple-tenant-usage:show", { project_id: projectId });
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, SHOW_QUERY);
  const window = usageWindow(request);
  const { paged, servers } = await usageServers(request, window, projectId);
  const body: Record<string, unknown> = {
    tenant_usage: tenantUsages(servers, window.start, window.end, true)[0] ?? {},
  };
  if (paged) {
    const links = request.links.collectionLinks(
      `${COLLECTION}/${projectId}`,
      servers.map((s) => s.uuid),
      request.query,
      request.config.max_limit,
    );
    if (links) body.tenant_usage_links = links;
  }
  return { status: 200, body };
};

/** `os-simple-tenant-usage` endpoints. */
export const tenantUsageHandlers = { index: listTenantUsages, show: showTenantUsage };
