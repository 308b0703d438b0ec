import { randomBytes } from "node:crypto";
import {
  createServerRequestSchemaFor,
  getConsoleOutputActionSchema,
  rebootActionSchema,
  resetStateActionSchema,
} from "@nova/client";
import { strictBoolFromString } from "../bool-from-string.js";
import type { CreateServerSpec, ServerAction, ServerRecord, ServerRef } from "../compute-backend.js";
import { ConsoleNotAvailableError } from "../errors/console-not-available.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { ImageNotFoundError } from "../errors/image-not-found.js";
import { InstanceInvalidStateError } from "../errors/instance-invalid-state.js";
import { InstanceIsLockedError } from "../errors/instance-is-locked.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InstanceNotReadyError } from "../errors/instance-not-ready.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { KeyPairNotFoundError } from "../errors/key-pair-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { QuotaExceededError } from "../errors/quota-exceeded.js";
import { HttpFault } from "../http-fault.js";
import type { PolicyTarget } from "../policy/policy-check.js";
import type { ApiReply, ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { hostId } from "../views/host-id.js";
import {
  serverBasicView,
  serverCreateView,
  serverDetailView,
  type ViewContext,
} from "../views/server-view.js";
import { planServerList } from "./server-list-query.js";

/** The view inputs of a request. */
export function viewContext(request: ApiRequest): ViewContext {
  // A list asks the same rules for every server (one project): decide each once.
  const decided = new Map<string, boolean>();
  const hostIds = new Map<string, string>();
  return {
    version: request.version,
    links: request.links,
    context: request.context,
    allows(rule, target) {
      const key = `${rule}\0${target?.project_id ?? ""}`;
      let allowed = decided.get(key);
      if (allowed === undefined) {
        allowed = request.allows(rule, target);
        decided.set(key, allowed);
      }
      return allowed;
    },
    hostId(projectId, host) {
      const key = `${projectId}\0${host ?? ""}`;
      let id = hostIds.get(key);
      if (id === undefined) {
        id = hostId(projectId, host);
        hostIds.set(key, id);
      }
      return id;
    },
  };
}

/** The owner of a server as Nova's server policies name it. */
/** The policy target of a server: its project and user. */
export function ownerTarget(server: Pick<ServerRef, "projectId" | "userId">): PolicyTarget {
  return { project_id: server.projectId, user_id: server.userId };
}

async function listServers(request: ApiRequest, detail: boolean): Promise<ApiReply> {
  const plan = planServerList(request.query, request.version, request.context, {
    detail,
    maxLimit: request.config.max_limit,
    allows: (rule) => request.allows(rule),
  });
  let servers: ServerRecord[] = [];
  if (plan.kind === "query") {
    try {
      servers = await request.backend.listServers(request.context, {
        ...plan.query,
        ...(request.version.atLeast("2.69") ? { cellDownSupport: true } : {}),
      });
    } catch (error) {
      if (MarkerNotFoundError.isInstance(error)) {
        throw HttpFault.badRequest(`marker [${plan.query.marker}] not found`);
      }
      throw error;
    }
  }
  const view = viewContext(request);
  const body: Record<string, unknown> = {
    servers: servers.map((s) =>
      detail ? serverDetailView(s, view, { list: true }) : serverBasicView(s, view),
    ),
  };
  const links = request.links.collectionLinks(
    detail ? "servers/detail" : "servers",
    servers.map((s) => s.uuid),
    request.query,
    request.config.max_limit,
  );
  if (links) body.servers_links = links;
  return { status: 200, body };
}

/** Loads a server the caller may see; others' servers are "not found" for non-admins, as in Nova. */
export function visibleServer(request: ApiRequest, notFoundMessage?: string): Promise<ServerRecord> {
  return visible(request, (ctx, id) => request.backend.getServer(ctx, id), notFoundMessage);
}

/**
 * visibleServer for an action that needs only the server's owner and state: the backend reads the instance
 * alone, and hands that read to the action that follows in the same request.
 */
export function visibleServerRef(request: ApiRequest, notFoundMessage?: string): Promise<ServerRef> {
  return visible(request, (ctx, id) => request.backend.findServer(ctx, id), notFoundMessage);
}

async function visible<T extends { projectId: string }>(
  request: ApiRequest,
  load: (ctx: ApiRequest["context"], id: string) => Promise<T>,
  notFoundMessage?: string,
): Promise<T> {
  const id = request.params.id!;
  try {
    const server = await load(request.context, id);
    if (!request.context.isAdmin && server.projectId !== request.context.projectId) {
      throw HttpFault.notFound(notFoundMessage ?? `Instance ${id} could not be found.`);
    }
    return server;
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) {
      throw HttpFault.notFound(notFoundMessage ?? error.message);
    }
    throw error;
  }
}

/** Nova's 409 for an action refused in the current state ("Cannot 'pause' instance X while it is in ..."). */
export function conflictFor(error: unknown, action: string, serverId: string): never {
  if (InstanceInvalidStateError.isInstance(error)) {
    throw HttpFault.conflict(
      `Cannot '${action}' instance ${serverId} while it is in ${error.attr} ${error.state === null ? "None" : error.state}`,
    );
  }
  if (InstanceIsLockedError.isInstance(error) || InstanceNotReadyError.isInstance(error)) {
    throw HttpFault.conflict(error.message);
  }
  throw error;
}

const showServer: Handler = async (request) => {
  const server = await visibleServer(request);
  request.authorize("os_compute_api:servers:show", { project_id: server.projectId });
  return { status: 200, body: { server: serverDetailView(server, viewContext(request), { list: false }) } };
};

/**
 * `DELETE /servers/{id}` with `reclaim_instance_interval` set: a soft delete, or the plain delete for a server
 * that never launched (Nova's servers controller _delete).
 */
async function softDeleteOrDelete(request: ApiRequest, server: ServerRecord): Promise<void> {
  try {
    await request.backend.softDeleteServer(request.context, server.uuid);
  } catch (error) {
    if (!InstanceInvalidStateError.isInstance(error)) throw error;
    await request.backend.deleteServer(request.context, server.uuid);
  }
}

const deleteServer: Handler = async (request) => {
  const server = await visibleServer(request);
  request.authorize("os_compute_api:servers:delete", ownerTarget(server));
  try {
    if (request.config.reclaim_instance_interval > 0) await softDeleteOrDelete(request, server);
    else await request.backend.deleteServer(request.context, server.uuid);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) {
      throw HttpFault.notFound("Instance could not be found");
    }
    conflictFor(error, "delete", request.params.id!);
  }
  return { status: 204 };
};

/**
 * A server action: validates the body, loads the server, checks `rule` for its owner (Nova names the user too
 * for some actions, only the project for others), then asks the backend.
 */
function actionHandler(
  apiName: string,
  rule: { name: string; projectOnly?: boolean },
  toAction: (body: unknown, request: ApiRequest) => ServerAction,
): Handler {
  return async (request) => {
    const action = toAction(request.body, request);
    const server = await visibleServer(request);
    request.authorize(rule.name, rule.projectOnly ? { project_id: server.projectId } : ownerTarget(server));
    try {
      await request.backend.serverAction(request.context, server.uuid, action);
    } catch (error) {
      if (InstanceNotFoundError.isInstance(error)) {
        throw HttpFault.notFound(error.message);
      }
      conflictFor(error, apiName, request.params.id!);
    }
    return { status: 202 };
  };
}

const reboot = actionHandler(
  "reboot",
  { name: "os_compute_api:servers:reboot", projectOnly: true },
  (body) => {
    const parsed = validateBody(rebootActionSchema, body);
    return { type: "reboot", rebootType: parsed.reboot.type.toUpperCase() as "SOFT" | "HARD" };
  },
);

// Control characters other than tab and newline, which Nova strips from console output (XML-safe, kept for v2.1).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONSOLE_CONTROL_CHARS = /[\x00-\x08\x0b-\x1f]/g;

/**
 * `os-getConsoleOutput`: 200 with the log read from the compute host; 404 when the server or its console is
 * gone, 409 while it has no host (nova/api/openstack/compute/console_output.py).
 */
const getConsoleOutput: Handler = async (request) => {
  const { length } = validateBody(getConsoleOutputActionSchema, request.body)["os-getConsoleOutput"];
  // The schema allows -1 (and any negative string) as "everything", like an absent or null length.
  const lines = length === undefined || length === null ? null : Number(length);
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-console-output", { project_id: server.projectId });
  let output: string;
  try {
    output = await request.backend.getConsoleOutput(
      request.context,
      server.uuid,
      lines !== null && lines >= 0 ? lines : null,
    );
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error) || ConsoleNotAvailableError.isInstance(error)) {
      throw HttpFault.notFound(error.message);
    }
    if (InstanceNotReadyError.isInstance(error)) {
      throw HttpFault.conflict(error.message);
    }
    throw error;
  }
  return { status: 200, body: { output: output.replace(CONSOLE_CONTROL_CHARS, "") } };
};

/**
 * `suspend` and `resume` (nova/api/openstack/compute/suspend_server.py): the server is loaded first, then the
 * os-suspend-server rule is checked against its project (and user, for suspend) as Nova does.
 */
function suspendResumeHandler(type: "suspend" | "resume"): Handler {
  return async (request) => {
    const server = await visibleServer(request);
    request.authorize(`os_compute_api:os-suspend-server:${type}`, {
      project_id: server.projectId,
      ...(type === "suspend" ? { user_id: server.userId } : {}),
    });
    try {
      await request.backend.serverAction(request.context, server.uuid, { type });
    } catch (error) {
      if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
      conflictFor(error, type, request.params.id!);
    }
    return { status: 202 };
  };
}

/** `os-resetState` (admin): vm_state active or error with no task, whatever the server is doing. */
const resetState: Handler = async (request) => {
  const { state } = validateBody(resetStateActionSchema, request.body)["os-resetState"];
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-admin-actions:reset_state", { project_id: server.projectId });
  try {
    await request.backend.resetServerState(request.context, server.uuid, state);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
  return { status: 202 };
};

/** `resetNetwork` went with nova-network: Nova answers 410 before looking at the server or policy. */
const resetNetwork: Handler = async () => {
  throw new HttpFault(410, "This resource is no longer available. No forwarding address is given.");
};

/** `POST /servers/{id}/action` handlers by action key. */
export const serverActions: Record<string, Handler> = {
  reboot,
  "os-stop": actionHandler("stop", { name: "os_compute_api:servers:stop" }, () => ({ type: "stop" })),
  "os-start": actionHandler("start", { name: "os_compute_api:servers:start" }, () => ({ type: "start" })),
  pause: actionHandler("pause", { name: "os_compute_api:os-pause-server:pause" }, () => ({ type: "pause" })),
  unpause: actionHandler("unpause", { name: "os_compute_api:os-pause-server:unpause" }, () => ({
    type: "unpause",
  })),
  "os-getConsoleOutput": getConsoleOutput,
  suspend: suspendResumeHandler("suspend"),
  resume: suspendResumeHandler("resume"),
  "os-resetState": resetState,
  resetNetwork,
};

const createServer: Handler = async (request) => {
  const { version } = request;
  const body = validateBody(createServerRequestSchemaFor(version), request.body);
  const server = body.server as Record<string, unknown> & typeof body.server;
  const networks = server.networks;
  const minCount = Number(server.min_count ?? 1);
  const maxCount = Number(server.max_count ?? minCount);
  if (minCount > maxCount) throw HttpFault.badRequest("min_count must be <= max_count");
  const policyTarget: PolicyTarget = {
    project_id: request.context.projectId,
    user_id: request.context.userId,
    availability_zone: server.availability_zone,
  };
  request.authorize("os_compute_api:servers:create", policyTarget);
  const target = forcedDestination(request, server, policyTarget);
  if (version.atLeast("2.90") && server.hostname && maxCount > 1) {
    throw HttpFault.badRequest("Unable to allocate a single hostname to multiple instances");
  }
  if (!server.imageRef) throw HttpFault.badRequest("Missing imageRef attribute");
  const name = server.name.trim();
  const spec: CreateServerSpec = {
    name,
    // Before 2.19 Nova stores the name as the description.
    description: version.atLeast("2.19") ? ((server.description as string | null | undefined) ?? null) : name,
    imageRef: server.imageRef,
    flavorId: idFromHref(flavorRefText(server.flavorRef)),
    metadata: server.metadata ?? {},
    availabilityZone: target.availabilityZone,
    hostname: version.atLeast("2.90") ? ((server.hostname as string | undefined) ?? null) : null,
    forcedHost: target.forcedHost,
    forcedNode: target.forcedNode,
    requestedHost: target.requestedHost,
    requestedNode: target.requestedNode,
    keyName: server.key_name ?? null,
    userData: server.user_data ?? null,
    accessIPv4: server.accessIPv4 ?? null,
    accessIPv6: server.accessIPv6 ?? null,
    // Nova's compute API: bool_from_string(config_drive, strict=True) when given (the schema allows only boolean words).
    configDrive: server.config_drive !== undefined && strictBoolFromString(server.config_drive),
    autoDiskConfig: server["OS-DCF:diskConfig"] === "AUTO",
    minCount,
    maxCount,
    securityGroups: [
      ...new Set((server.security_groups ?? []).map((g) => g.name).filter((n): n is string => !!n)),
    ],
    tags: (server.tags as string[] | undefined) ?? [],
    networks:
      networks === undefined
        ? null
        : typeof networks === "string"
          ? networks
          : networks.map((n) => ({
              ...(n.uuid !== undefined ? { uuid: n.uuid } : {}),
              ...(n.port ? { port: n.port } : {}),
              ...(n.fixed_ip !== undefined ? { fixedIp: n.fixed_ip } : {}),
            })),
    schedulerHints: body["os:scheduler_hints"] ?? body["OS-SCH-HNT:scheduler_hints"] ?? {},
    adminPass: server.adminPass ?? generatePassword(),
  };
  // Nova's compute API: a zone (unless a host is forced) must be one some enabled service is in.
  if (spec.availabilityZone !== null && spec.forcedHost === null) {
    const services = await request.backend.listServices(request.context, {});
    if (!services.some((s) => !s.disabled && s.zone === spec.availabilityZone)) {
      throw HttpFault.badRequest("The requested availability zone is not available");
    }
  }
  let created: ServerRecord[];
  try {
    created = await request.backend.createServers(request.context, spec);
  } catch (error) {
    if (ImageNotFoundError.isInstance(error)) throw HttpFault.badRequest("Can not find requested image");
    if (FlavorNotFoundError.isInstance(error) || InvalidRequestError.isInstance(error))
      throw HttpFault.badRequest(error.message);
    if (QuotaExceededError.isInstance(error)) throw HttpFault.forbidden(error.message);
    if (KeyPairNotFoundError.isInstance(error)) throw HttpFault.badRequest("Invalid key_name provided.");
    throw error;
  }
  const first = created[0];
  if (!first) throw new Error("backend created no server");
  // Nova tests this one for Python truth, not with bool_from_string: every word the schema allows, "false"
  // included, is a non-empty string and so true; only JSON false (or leaving it out) is false.
  if (server.return_reservation_id !== undefined && server.return_reservation_id !== false) {
    return { status: 202, body: { reservation_id: first.reservationId } };
  }
  const view = serverCreateView(first, viewContext(request), server.security_groups);
  view.adminPass = spec.adminPass;
  return {
    status: 202,
    body: { server: view },
    headers: { Location: request.links.href("servers", first.uuid) },
  };
};

/** Where a create asks to land: an availability zone, Nova's `zone:host:node` forcing, or (2.74) host/node. */
interface CreateDestination {
  availabilityZone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
  requestedHost: string | null;
  requestedNode: string | null;
}

/**
 * Nova's `parse_availability_zone` (`az:host`, `az:host:node`, `az::node`) and its admin-only policies:
 * forcing a host or node (`os_compute_api:servers:create:forced_host`) and, from 2.74, asking for one
 * (`compute:servers:create:requested_destination`); the two ways are mutually exclusive.
 */
function forcedDestination(
  request: ApiRequest,
  server: { availability_zone?: string; host?: unknown; hypervisor_hostname?: unknown },
  policyTarget: PolicyTarget,
): CreateDestination {
  let zone: string | null = server.availability_zone ?? null;
  let forcedHost: string | null = null;
  let forcedNode: string | null = null;
  if (zone?.includes(":")) {
    const parts = zone.split(":");
    if (parts.length === 2) [zone, forcedHost] = parts as [string, string];
    else if (parts.length === 3 && zone.includes("::"))
      [zone, , forcedNode] = parts as [string, string, string];
    else if (parts.length === 3) [zone, forcedHost, forcedNode] = parts as [string, string, string];
    else throw HttpFault.badRequest("Invalid input received: Unable to parse availability_zone");
  }
  if (forcedHost || forcedNode) request.authorize("os_compute_api:servers:create:forced_host", policyTarget);
  let requestedHost: string | null = null;
  let requestedNode: string | null = null;
  if (request.version.atLeast("2.74")) {
    requestedHost = (server.host as string | undefined) || null;
    requestedNode = (server.hypervisor_hostname as string | undefined) || null;
    if (requestedHost || requestedNode) {
      request.authorize("compute:servers:create:requested_destination", policyTarget);
      if (forcedHost || forcedNode) {
        throw HttpFault.badRequest(
          "One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.",
        );
      }
    }
  }
  return {
    availabilityZone: zone || null,
    forcedHost: forcedHost || null,
    forcedNode: forcedNode || null,
    requestedHost,
    requestedNode,
  };
}

/** A flavorRef as Python's str() writes it: integers in full, however large. */
function flavorRefText(ref: string | number): string {
  return typeof ref === "number" ? BigInt(ref).toString() : ref;
}

/** The last path segment of a flavorRef, which may be a bare id or a URL (Nova's `get_id_from_href`). */
function idFromHref(href: string): string {
  const path = href.split(/[?#]/, 1)[0]!;
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Nova's generated admin password (utils.generate_password). */
export function generatePassword(): string {
  // Nova's default password symbols, without lookalikes (0/O, 1/l/I).
  const symbols = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const bytes = randomBytes(12);
  return [...bytes].map((b) => symbols[b % symbols.length]).join("");
}

/** Server endpoints. */
export const serverHandlers = {
  index: (request: ApiRequest) => listServers(request, false),
  detail: (request: ApiRequest) => listServers(request, true),
  show: showServer,
  create: createServer,
  delete: deleteServer,
};
