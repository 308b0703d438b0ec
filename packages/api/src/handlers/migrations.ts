import {
  confirmResizeActionSchema,
  evacuateActionSchema,
  evacuateActionSchemaV214,
  evacuateActionSchemaV229,
  forceCompleteActionSchema,
  migrateActionSchema,
  migrateActionSchemaV256,
  migrateLiveActionSchema,
  migrateLiveActionSchemaV225,
  migrateLiveActionSchemaV230,
  resizeActionSchema,
  revertResizeActionSchema,
} from "@nova/client";
import { strictBoolFromString } from "../bool-from-string.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { MigrationNotFoundError } from "../errors/migration-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { EvacuateSpec, LiveMigrateSpec, MigrationQuery, MigrationRecord } from "../migration-backend.js";
import {
  checkDateTime,
  checkNonNegativeInteger,
  checkNoUnknown,
  lastValue,
  parseDateTime,
} from "../query-params.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { naiveIsoTime } from "../views/time-format.js";
import { conflictFor, generatePassword, ownerTarget, visibleServerRef } from "./servers.js";

// nova/api/openstack/compute/migrate_server.py, servers.py (resize, confirm, revert), migrations.py and
// server_migrations.py, with their policies (nova/policies/servers.py, migrate_server.py, migrations.py).

const owner = ownerTarget;

async function act(request: ApiRequest, apiName: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    conflictFor(error, apiName, request.params.id!);
  }
}

const resize: Handler = async (request) => {
  const body = validateBody(resizeActionSchema, request.body);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:servers:resize", owner(server));
  const flavorRef = String(body.resize.flavorRef);
  // A flavorRef may be a URL; its last segment is the id, as Nova's common.get_id_from_href.
  const flavorId = flavorRef.split("/").pop() ?? flavorRef;
  await act(request, "resize", () => request.backend.resizeServer(request.context, server.uuid, flavorId));
  return { status: 202 };
};

const migrate: Handler = async (request) => {
  let host: string | null = null;
  if (request.version.atLeast("2.56")) {
    host = validateBody(migrateActionSchemaV256, request.body).migrate?.host ?? null;
  } else {
    validateBody(migrateActionSchema, request.body);
  }
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:os-migrate-server:migrate", { project_id: server.projectId });
  await act(request, "migrate", () => request.backend.migrateServer(request.context, server.uuid, host));
  return { status: 202 };
};

const confirmResize: Handler = async (request) => {
  validateBody(confirmResizeActionSchema, request.body);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:servers:confirm_resize", owner(server));
  await act(request, "confirmResize", () => request.backend.confirmResize(request.context, server.uuid));
  return { status: 204 };
};

const revertResize: Handler = async (request) => {
  validateBody(revertResizeActionSchema, request.body);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:servers:revert_resize", owner(server));
  await act(request, "revertResize", () => request.backend.revertResize(request.context, server.uuid));
  return { status: 202 };
};

// os-migrateLive's body at the request's microversion (schemas/migrate_server.py): 2.25 drops
// disk_over_commit and allows block_migration `auto`; 2.30 adds `force`, which 2.68 removes again.
function liveMigrateSpec(request: ApiRequest): LiveMigrateSpec {
  const v = request.version;
  if (!v.atLeast("2.25")) {
    const body = validateBody(migrateLiveActionSchema, request.body)["os-migrateLive"];
    return {
      host: body.host ?? null,
      blockMigration: strictBoolFromString(body.block_migration),
      diskOverCommit: strictBoolFromString(body.disk_over_commit),
      force: false,
    };
  }
  const withForce = v.atLeast("2.30") && !v.atLeast("2.68");
  const body: { block_migration: unknown; host?: string | null; force?: unknown } = validateBody(
    withForce ? migrateLiveActionSchemaV230 : migrateLiveActionSchemaV225,
    request.body,
  )["os-migrateLive"];
  const host = body.host ?? null;
  const force = withForce && body.force !== undefined ? strictBoolFromString(body.force) : false;
  if (force && !host) throw HttpFault.badRequest("Can't force to a non-provided destination");
  return {
    host,
    blockMigration: body.block_migration === "auto" ? null : strictBoolFromString(body.block_migration),
    diskOverCommit: null,
    force,
  };
}

const migrateLive: Handler = async (request) => {
  const spec = liveMigrateSpec(request);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:os-migrate-server:migrate_live", { project_id: server.projectId });
  try {
    await request.backend.liveMigrateServer(request.context, server.uuid, spec);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
    conflictFor(error, "os-migrateLive", request.params.id!);
  }
  return { status: 202 };
};

// evacuate's body at the request's microversion (schemas/evacuate.py): 2.14 drops onSharedStorage (and the
// generated password), 2.29 adds `force`, which 2.68 removes again.
function evacuateSpec(request: ApiRequest): EvacuateSpec {
  const v = request.version;
  if (!v.atLeast("2.14")) {
    const body = validateBody(evacuateActionSchema, request.body).evacuate;
    const onSharedStorage = strictBoolFromString(body.onSharedStorage);
    if (onSharedStorage && body.adminPass) {
      throw HttpFault.badRequest("admin password can't be changed on existing disk");
    }
    return {
      host: body.host ?? null,
      adminPass: body.adminPass ?? generatePassword(),
      onSharedStorage,
      force: false,
    };
  }
  const withForce = v.atLeast("2.29") && !v.atLeast("2.68");
  const body: { host?: string; adminPass?: string; force?: unknown } = validateBody(
    withForce ? evacuateActionSchemaV229 : evacuateActionSchemaV214,
    request.body,
  ).evacuate;
  const force = withForce && body.force !== undefined ? strictBoolFromString(body.force) : false;
  if (force && !body.host) throw HttpFault.badRequest("Can't force to a non-provided destination");
  return { host: body.host ?? null, adminPass: body.adminPass ?? null, onSharedStorage: null, force };
}

const evacuate: Handler = async (request) => {
  const spec = evacuateSpec(request);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:os-evacuate", owner(server));
  if (spec.host !== null && spec.host === server.host) {
    throw HttpFault.badRequest("The target host can't be the same one.");
  }
  try {
    await request.backend.evacuateServer(request.context, server.uuid, spec);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
    conflictFor(error, "evacuate", request.params.id!);
  }
  // Before 2.14 the answer carries the password (Nova's [api] enable_instance_password, default true).
  if (!request.version.atLeast("2.14")) return { status: 200, body: { adminPass: spec.adminPass } };
  return { status: 200 };
};

/** resize, migrate, confirmResize, revertResize, os-migrateLive and evacuate of `POST /servers/{id}/action`. */
export const migrationActions: Record<string, Handler> = {
  resize,
  migrate,
  confirmResize,
  revertResize,
  "os-migrateLive": migrateLive,
  evacuate,
};

const V20_KNOWN = ["hidden", "host", "instance_uuid", "source_compute", "status", "migration_type"];
const V259_KNOWN = new Set([...V20_KNOWN, "limit", "marker", "changes-since"]);
const V266_KNOWN = new Set([...V259_KNOWN, "changes-before"]);
const V280_KNOWN = new Set([...V266_KNOWN, "user_id", "project_id"]);

function migrationQuery(request: ApiRequest): MigrationQuery {
  const { query, version } = request;
  const out: MigrationQuery = {};
  const set = <K extends keyof MigrationQuery>(key: K, name: string) => {
    const v = lastValue(query, name);
    if (v !== undefined && v !== "") out[key] = v as MigrationQuery[K];
  };
  set("host", "host");
  set("status", "status");
  set("instanceUuid", "instance_uuid");
  set("migrationType", "migration_type");
  set("sourceCompute", "source_compute");
  // Before 2.59 Nova's query schema lets anything else through (and ignores it).
  if (!version.atLeast("2.59")) return out;
  checkNonNegativeInteger(query, "limit");
  checkDateTime(query, "changes-since");
  if (version.atLeast("2.66")) checkDateTime(query, "changes-before");
  checkNoUnknown(
    query,
    version.atLeast("2.80") ? V280_KNOWN : version.atLeast("2.66") ? V266_KNOWN : V259_KNOWN,
  );
  const limit = lastValue(query, "limit");
  out.limit = Math.min(
    limit !== undefined ? Number(limit) : request.config.max_limit,
    request.config.max_limit,
  );
  set("marker", "marker");
  const since = lastValue(query, "changes-since");
  if (since) out.changesSince = parseDateTime(since)!;
  const before = version.atLeast("2.66") ? lastValue(query, "changes-before") : undefined;
  if (before) out.changesBefore = parseDateTime(before)!;
  if (version.atLeast("2.80")) {
    set("userId", "user_id");
    set("projectId", "project_id");
  }
  return out;
}

/** One migration as os-migrations shows it at the request's microversion. */
export function migrationView(request: ApiRequest, m: MigrationRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    status: m.status ?? null,
    instance_uuid: m.instance_uuid ?? null,
    source_node: m.source_node ?? null,
    source_compute: m.source_compute ?? null,
    dest_node: m.dest_node ?? null,
    dest_compute: m.dest_compute ?? null,
    dest_host: m.dest_host ?? null,
    old_instance_type_id: m.old_instance_type_id ?? null,
    new_instance_type_id: m.new_instance_type_id ?? null,
    created_at: m.created_at ? naiveIsoTime(m.created_at) : null,
    updated_at: m.updated_at ? naiveIsoTime(m.updated_at) : null,
  };
  if (request.version.atLeast("2.23")) {
    out.migration_type = m.migration_type ?? null;
    // Nova links an in-progress live migration to its server migration resource.
    const live = m.migration_type === "live-migration" && !DONE.has(m.status ?? "");
    if (live) {
      out.links = request.links.links(`servers/${m.instance_uuid}/migrations`, String(m.id));
    }
  }
  if (request.version.atLeast("2.59")) out.uuid = m.uuid;
  if (request.version.atLeast("2.80")) {
    out.user_id = m.user_id ?? null;
    out.project_id = m.project_id ?? null;
  }
  return out;
}

const DONE = new Set(["confirmed", "reverted", "error", "failed", "completed", "cancelled", "done"]);

const listMigrations: Handler = async (request) => {
  request.authorize("os_compute_api:os-migrations:index", {});
  const query = migrationQuery(request);
  let found: MigrationRecord[];
  try {
    found = await request.backend.listMigrations(request.context, query);
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error))
      throw HttpFault.badRequest(`Marker ${query.marker} could not be found.`);
    throw error;
  }
  const body: Record<string, unknown> = { migrations: found.map((m) => migrationView(request, m)) };
  if (request.version.atLeast("2.59")) {
    const links = request.links.collectionLinks(
      "os-migrations",
      found.map((m) => m.uuid),
      request.query,
      request.config.max_limit,
    );
    if (links) body.migrations_links = links;
  }
  return { status: 200, body };
};

/** A server migration (live migrations in progress) as server_migrations.py shows it. */
function serverMigrationView(request: ApiRequest, m: MigrationRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    server_uuid: m.instance_uuid ?? null,
    status: m.status ?? null,
    source_compute: m.source_compute ?? null,
    source_node: m.source_node ?? null,
    dest_compute: m.dest_compute ?? null,
    dest_node: m.dest_node ?? null,
    dest_host: m.dest_host ?? null,
    memory_total_bytes: m.memory_total ?? null,
    memory_processed_bytes: m.memory_processed ?? null,
    memory_remaining_bytes: m.memory_remaining ?? null,
    disk_total_bytes: m.disk_total ?? null,
    disk_processed_bytes: m.disk_processed ?? null,
    disk_remaining_bytes: m.disk_remaining ?? null,
    created_at: m.created_at ? naiveIsoTime(m.created_at) : null,
    updated_at: m.updated_at ? naiveIsoTime(m.updated_at) : null,
  };
  if (request.version.atLeast("2.59")) out.uuid = m.uuid;
  if (request.version.atLeast("2.80")) {
    out.user_id = m.user_id ?? null;
    out.project_id = m.project_id ?? null;
  }
  return out;
}

async function serverMigrations(request: ApiRequest, rule: string): Promise<MigrationRecord[]> {
  if (!request.version.atLeast("2.23")) throw HttpFault.notFound();
  const server = await visibleServerRef(request);
  request.authorize(rule, { project_id: server.projectId });
  return request.backend.listServerMigrations(request.context, server.uuid, "live-migration");
}

const listServerMigrations: Handler = async (request) => {
  const found = await serverMigrations(request, "os_compute_api:servers:migrations:index");
  return { status: 200, body: { migrations: found.map((m) => serverMigrationView(request, m)) } };
};

const showServerMigration: Handler = async (request) => {
  const found = await serverMigrations(request, "os_compute_api:servers:migrations:show");
  const id = Number(request.params.migrationId);
  const m = found.find((x) => x.id === id);
  if (!m) {
    throw HttpFault.notFound(
      `In-progress live migration ${request.params.migrationId} is not found for server ${request.params.id}.`,
    );
  }
  return { status: 200, body: { migration: serverMigrationView(request, m) } };
};

function migrationIdParam(request: ApiRequest): number {
  const raw = request.params.migrationId ?? "";
  if (!/^[0-9]+$/.test(raw)) throw HttpFault.badRequest(`Invalid migration id ${raw}`);
  return Number(raw);
}

// `POST /servers/{id}/migrations/{migration_id}/action` with force_complete (2.22).
const serverMigrationAction: Handler = async (request) => {
  if (!request.version.atLeast("2.22")) throw HttpFault.notFound();
  validateBody(forceCompleteActionSchema, request.body);
  const id = migrationIdParam(request);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:servers:migrations:force_complete", { project_id: server.projectId });
  try {
    await request.backend.forceCompleteLiveMigration(request.context, server.uuid, id);
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    if (MigrationNotFoundError.isInstance(error) || InvalidRequestError.isInstance(error)) {
      throw HttpFault.badRequest(error.message);
    }
    conflictFor(error, "force_complete", request.params.id!);
  }
  return { status: 202 };
};

// `DELETE /servers/{id}/migrations/{migration_id}` (2.24): aborts a live migration; 2.65 a queued one too.
const deleteServerMigration: Handler = async (request) => {
  if (!request.version.atLeast("2.24")) throw HttpFault.notFound();
  const id = migrationIdParam(request);
  const server = await visibleServerRef(request);
  request.authorize("os_compute_api:servers:migrations:delete", { project_id: server.projectId });
  try {
    await request.backend.abortLiveMigration(
      request.context,
      server.uuid,
      id,
      request.version.atLeast("2.65"),
    );
  } catch (error) {
    if (InstanceNotFoundError.isInstance(error) || MigrationNotFoundError.isInstance(error)) {
      throw HttpFault.notFound(error.message);
    }
    if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
    conflictFor(error, "abort live migration", request.params.id!);
  }
  return { status: 202 };
};

/** os-migrations and the server migrations resource. */
export const migrationHandlers = {
  listMigrations,
  listServerMigrations,
  showServerMigration,
  serverMigrationAction,
  deleteServerMigration,
};
