import {
  lockActionSchemaV273,
  serverMetadataItemRequestSchema,
  serverMetadataRequestSchema,
  serverTagRequestSchema,
  serverTagsRequestSchema,
  tagParam,
  updateServerRequestSchemaFor,
} from "@nova/client";
import type { ServerRecord } from "../compute-backend.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import type { ServerUpdate } from "../server-update-backend.js";
import { checkMetadataChange, isExpectedLockedBy, SERVER_CHANGE_VM_STATES } from "../server-update-rules.js";
import { validateBody } from "../validation.js";
import { serverDetailView } from "../views/server-view.js";
import { conflictFor, viewContext, visibleServer } from "./servers.js";

// Server update (servers.py update), metadata (server_metadata.py), tags (server_tags.py) and lock
// (lock_server.py), with their policies (nova/policies/servers.py, server_metadata.py, server_tags.py,
// lock_server.py).

const owner = (server: ServerRecord) => ({ project_id: server.projectId, user_id: server.userId });
const project = (server: ServerRecord) => ({ project_id: server.projectId });

// Keys Nova's show leaves out of a PUT answer before 2.75 (show_AZ, show_config_drive, ... all false).
const FULL_VIEW_ONLY = [
  "OS-EXT-AZ:",
  "config_drive",
  "key_name",
  "OS-SRV-USG:",
  "security_groups",
  "OS-EXT-SRV-ATTR:",
  "OS-EXT-STS:",
  "os-extended-volumes:",
  "host_status",
];

/** The `PUT /servers/{id}` answer: the show view, whole from 2.75, without the extension fields before. */
export function updateView(server: ServerRecord, request: ApiRequest): Record<string, unknown> {
  const view = serverDetailView(server, viewContext(request), { list: false });
  if (request.version.atLeast("2.75")) return view;
  for (const key of Object.keys(view)) {
    if (FULL_VIEW_ONLY.some((k) => key.startsWith(k))) delete view[key];
  }
  // Addresses without the OS-EXT-IPS extension fields (extend_address=False).
  const addresses = view.addresses as Record<string, Record<string, unknown>[]>;
  view.addresses = Object.fromEntries(
    Object.entries(addresses).map(([net, list]) => [
      net,
      list.map((a) => ({ version: a.version, addr: a.addr })),
    ]),
  );
  return view;
}

const updateServer: Handler = async (request) => {
  const body = validateBody(updateServerRequestSchemaFor(request.version), request.body).server as Record<
    string,
    unknown
  >;
  const server = await visibleServer(request);
  request.authorize("os_compute_api:servers:update", owner(server));
  const changes: ServerUpdate = {};
  if (typeof body.name === "string") changes.name = body.name.trim();
  if (body.description !== undefined) changes.description = body.description as string | null;
  if (typeof body.hostname === "string") changes.hostname = body.hostname;
  if (typeof body.accessIPv4 === "string") changes.accessIPv4 = body.accessIPv4;
  if (typeof body.accessIPv6 === "string") changes.accessIPv6 = body.accessIPv6;
  if (body["OS-DCF:diskConfig"] !== undefined) changes.autoDiskConfig = body["OS-DCF:diskConfig"] === "AUTO";
  let updated: ServerRecord;
  try {
    updated = await request.backend.updateServer(request.context, server.uuid, changes);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound("Instance could not be found");
    throw error;
  }
  return { status: 200, body: { server: updateView(updated, request) } };
};

// ---- metadata ---------------------------------------------------------------------------------

const ITEM_NOT_FOUND = "Metadata item was not found";

async function metadataServer(request: ApiRequest, action: string): Promise<ServerRecord> {
  const server = await visibleServer(request);
  request.authorize(`os_compute_api:server-metadata:${action}`, project(server));
  return server;
}

async function saveMetadata(
  request: ApiRequest,
  server: ServerRecord,
  metadata: Record<string, string>,
  replace: boolean,
): Promise<Record<string, string>> {
  try {
    // Nova's order: the lock and state decorators refuse (409) before the quota check (403).
    checkMetadataChange(server, "update_instance_metadata", { isAdmin: request.context.isAdmin });
    const after = replace ? metadata : { ...server.metadata, ...metadata };
    await request.backend.checkMetadataQuota(request.context, Object.keys(after).length);
    return await request.backend.updateServerMetadata(request.context, server.uuid, metadata, replace);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound("Server does not exist");
    return conflictFor(error, "update metadata", server.uuid);
  }
}

const listMetadata: Handler = async (request) => {
  const server = await metadataServer(request, "index");
  return { status: 200, body: { metadata: server.metadata } };
};

const showMetadataItem: Handler = async (request) => {
  const server = await metadataServer(request, "show");
  const key = request.params.key!;
  if (!Object.hasOwn(server.metadata, key)) throw HttpFault.notFound(ITEM_NOT_FOUND);
  return { status: 200, body: { meta: { [key]: server.metadata[key] } } };
};

// Nova answers 200 (not 201) to POST, for backwards compatibility.
const createMetadata: Handler = async (request) => {
  const { metadata } = validateBody(serverMetadataRequestSchema, request.body);
  const server = await metadataServer(request, "create");
  return { status: 200, body: { metadata: await saveMetadata(request, server, metadata, false) } };
};

const replaceMetadata: Handler = async (request) => {
  const { metadata } = validateBody(serverMetadataRequestSchema, request.body);
  const server = await metadataServer(request, "update_all");
  return { status: 200, body: { metadata: await saveMetadata(request, server, metadata, true) } };
};

const updateMetadataItem: Handler = async (request) => {
  const { meta } = validateBody(serverMetadataItemRequestSchema, request.body);
  const server = await metadataServer(request, "update");
  if (!Object.hasOwn(meta, request.params.key!)) throw HttpFault.badRequest("Request body and URI mismatch");
  await saveMetadata(request, server, meta, false);
  return { status: 200, body: { meta } };
};

const deleteMetadataItem: Handler = async (request) => {
  const server = await metadataServer(request, "delete");
  const key = request.params.key!;
  if (!Object.hasOwn(server.metadata, key)) throw HttpFault.notFound(ITEM_NOT_FOUND);
  let deleted: boolean;
  try {
    deleted = await request.backend.deleteServerMetadataItem(request.context, server.uuid, key);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound("Server does not exist");
    return conflictFor(error, "delete metadata", server.uuid);
  }
  if (!deleted) throw HttpFault.notFound(ITEM_NOT_FOUND);
  return { status: 204 };
};

// ---- tags (2.26) ------------------------------------------------------------------------------

async function tagServer(request: ApiRequest, action: string, refuseIn?: string): Promise<ServerRecord> {
  // Before 2.26 the routes do not exist (Nova: 404 for the version).
  if (!request.version.atLeast("2.26")) throw HttpFault.notFound();
  const server = await visibleServer(request);
  request.authorize(`os_compute_api:os-server-tags:${action}`, project(server));
  // Nova's _check_instance_in_valid_state for changes: ACTIVE, PAUSED, SUSPENDED or STOPPED.
  if (refuseIn !== undefined && !SERVER_CHANGE_VM_STATES.includes(server.vmState)) {
    throw HttpFault.conflict(
      `Cannot '${refuseIn}' instance ${request.params.id} while it is in vm_state ${server.vmState}`,
    );
  }
  return server;
}

async function tagCall<T>(request: ApiRequest, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    return conflictFor(error, action, request.params.id!);
  }
}

const listTags: Handler = async (request) => {
  const server = await tagServer(request, "index");
  return { status: 200, body: { tags: server.tags } };
};

const checkTag: Handler = async (request) => {
  const server = await tagServer(request, "show");
  const tag = request.params.tag!;
  if (!server.tags.includes(tag)) {
    throw HttpFault.notFound(`Server ${request.params.id} has no tag '${tag}'`);
  }
  return { status: 204 };
};

const replaceTags: Handler = async (request) => {
  if (!request.version.atLeast("2.26")) throw HttpFault.notFound();
  const { tags } = validateBody(serverTagsRequestSchema, request.body);
  const server = await tagServer(request, "update_all", "update tags");
  const saved = await tagCall(request, "update tags", () =>
    request.backend.replaceServerTags(request.context, server.uuid, tags),
  );
  return { status: 200, body: { tags: saved } };
};

const addTag: Handler = async (request) => {
  if (!request.version.atLeast("2.26")) throw HttpFault.notFound();
  // Nova's schema: no body (JSON null).
  if (request.body !== undefined) validateBody(serverTagRequestSchema, request.body);
  const server = await tagServer(request, "update", "update tag");
  const tag = request.params.tag!;
  const check = tagParam.safeParse(tag);
  if (!check.success) {
    throw HttpFault.badRequest(
      `Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${tagProblem(tag)}`,
    );
  }
  const result = await tagCall(request, "update tag", () =>
    request.backend.addServerTag(request.context, server.uuid, tag),
  );
  if (result === "full") throw HttpFault.badRequest("The number of tags exceeded the per-server limit 50");
  if (result === "exists") return { status: 204 };
  return {
    status: 201,
    headers: { Location: `${request.links.href("servers", server.uuid)}/tags/${encodeURIComponent(tag)}` },
  };
};

// jsonschema's message for the tag rule that failed.
function tagProblem(tag: string): string {
  if (tag.length === 0) return "'' is too short";
  if (tag.length > 60) return `'${tag}' is too long`;
  return `'${tag}' does not match '^[^,/]*$'`;
}

const deleteTag: Handler = async (request) => {
  const server = await tagServer(request, "delete", "delete tag");
  const tag = request.params.tag!;
  const deleted = await tagCall(request, "delete tag", () =>
    request.backend.deleteServerTag(request.context, server.uuid, tag),
  );
  if (!deleted) throw HttpFault.notFound(`Instance ${server.uuid} has no tag '${tag}'`);
  return { status: 204 };
};

const deleteTags: Handler = async (request) => {
  const server = await tagServer(request, "delete_all", "delete tags");
  await tagCall(request, "delete tags", () => request.backend.deleteServerTags(request.context, server.uuid));
  return { status: 204 };
};

// ---- lock and unlock actions ------------------------------------------------------------------

const lock: Handler = async (request) => {
  let reason: string | null = null;
  if (request.version.atLeast("2.73")) {
    const body = validateBody(lockActionSchemaV273, request.body);
    reason = body.lock?.locked_reason ?? null;
  }
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-lock-server:lock", owner(server));
  await tagCall(request, "lock", () => request.backend.lockServer(request.context, server.uuid, reason));
  return { status: 202 };
};

const unlock: Handler = async (request) => {
  const server = await visibleServer(request);
  request.authorize("os_compute_api:os-lock-server:unlock", project(server));
  // A lock by the other kind of caller (an admin's, seen by the owner) needs the override rule.
  if (!isExpectedLockedBy(server, request.context.projectId)) {
    request.authorize("os_compute_api:os-lock-server:unlock:unlock_override", project(server));
  }
  await tagCall(request, "unlock", () => request.backend.unlockServer(request.context, server.uuid));
  return { status: 202 };
};

/** `lock` and `unlock` of `POST /servers/{id}/action`. */
export const lockActions: Record<string, Handler> = { lock, unlock };

/** Server update, metadata and tag endpoints. */
export const serverUpdateHandlers = {
  update: updateServer,
  listMetadata,
  createMetadata,
  replaceMetadata,
  showMetadataItem,
  updateMetadataItem,
  deleteMetadataItem,
  listTags,
  replaceTags,
  deleteTags,
  checkTag,
  addTag,
  deleteTag,
};
