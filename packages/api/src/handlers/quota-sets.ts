import { updateQuotaClassSetRequestSchemaFor, updateQuotaSetRequestSchemaFor } from "@nova/client";
import type { QuotaRows } from "@nova/objects";
import { strictBoolFromString } from "../bool-from-string.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { HttpFault } from "../http-fault.js";
import { checkNoUnknown } from "../query-params.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { limitsView, quotaClassSetResources, quotaSetResources, quotaSetView } from "../views/quota-view.js";

// nova/api/openstack/compute/quota_sets.py, quota_classes.py and limits.py.

const USER_QUERY = new Set(["user_id"]);

/** The query's first `user_id` (Nova's `parse_qs(...).get('user_id', [None])[0]`); unknown names 400 from 2.75. */
function queryUser(request: ApiRequest): string | null {
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, USER_QUERY);
  return request.query.getAll("user_id")[0] || null;
}

const showQuotaSet: Handler = async (request) => {
  const projectId = request.params.id!;
  request.authorize("os_compute_api:os-quota-sets:show", { project_id: projectId });
  const userId = queryUser(request);
  const limits = await request.backend.getQuotaLimits(request.context, projectId, userId);
  return {
    status: 200,
    body: { quota_set: quotaSetView(quotaSetResources(request.version), limits, projectId) },
  };
};

const detailQuotaSet: Handler = async (request) => {
  const projectId = request.params.id!;
  request.authorize("os_compute_api:os-quota-sets:detail", { project_id: projectId });
  const userId = queryUser(request);
  const usage = await request.backend.getQuotaUsage(request.context, projectId, userId);
  const detail = Object.fromEntries(
    Object.entries(usage).map(([r, { limit, inUse }]) => [r, { in_use: inUse, limit, reserved: 0 }]),
  ) as Record<keyof typeof usage, { in_use: number; limit: number; reserved: number }>;
  return {
    status: 200,
    body: { quota_set: quotaSetView(quotaSetResources(request.version), detail, projectId) },
  };
};

const defaultQuotaSet: Handler = async (request) => {
  const projectId = request.params.id!;
  request.authorize("os_compute_api:os-quota-sets:defaults", { project_id: projectId });
  const defaults = await request.backend.getDefaultQuotas(request.context);
  return {
    status: 200,
    body: { quota_set: quotaSetView(quotaSetResources(request.version), defaults, projectId) },
  };
};

/** The requested limits as integers, skipping `force` and empty values (Nova's `not value and value != 0`). */
function requestedLimits(body: Record<string, unknown>): QuotaRows {
  const limits: QuotaRows = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "force" || value === undefined || value === null || value === "" || value === false) continue;
    limits[key] = Number(value);
  }
  return limits;
}

const updateQuotaSet: Handler = async (request) => {
  const projectId = request.params.id!;
  const { quota_set: quotaSet } = validateBody(updateQuotaSetRequestSchemaFor(request.version), request.body);
  request.authorize("os_compute_api:os-quota-sets:update", { project_id: projectId });
  const userId = queryUser(request);
  // nova-network's quota passes the 2.1 schema only to be refused here.
  if ("networks" in quotaSet) throw HttpFault.badRequest("The networks quota has been removed");
  const force = quotaSet.force !== undefined && strictBoolFromString(quotaSet.force);
  let limits: Awaited<ReturnType<typeof request.backend.updateQuotas>>;
  try {
    limits = await request.backend.updateQuotas(
      request.context,
      projectId,
      userId,
      requestedLimits(quotaSet as Record<string, unknown>),
      force,
    );
  } catch (error) {
    if (InvalidRequestError.isInstance(error)) throw HttpFault.badRequest(error.message);
    throw error;
  }
  // Nova answers without `id` here (kept from v2).
  return { status: 200, body: { quota_set: quotaSetView(quotaSetResources(request.version), limits) } };
};

const deleteQuotaSet: Handler = async (request) => {
  const projectId = request.params.id!;
  request.authorize("os_compute_api:os-quota-sets:delete", { project_id: projectId });
  const userId = queryUser(request);
  await request.backend.deleteQuotas(request.context, projectId, userId);
  return { status: 202 };
};

/** `os-quota-sets` endpoints. */
export const quotaSetHandlers = {
  show: showQuotaSet,
  detail: detailQuotaSet,
  defaults: defaultQuotaSet,
  update: updateQuotaSet,
  delete: deleteQuotaSet,
};

const showQuotaClassSet: Handler = async (request) => {
  request.authorize("os_compute_api:os-quota-class-sets:show", {});
  const className = request.params.id!;
  const limits = await request.backend.getQuotaClass(request.context, className);
  return {
    status: 200,
    body: { quota_class_set: quotaSetView(quotaClassSetResources(request.version), limits, className) },
  };
};

const updateQuotaClassSet: Handler = async (request) => {
  const body = validateBody(updateQuotaClassSetRequestSchemaFor(request.version), request.body);
  request.authorize("os_compute_api:os-quota-class-sets:update", {});
  const className = request.params.id!;
  const length = [...className].length;
  if (length > 255) {
    // Nova's utils.check_string_length, as InvalidInput words it.
    throw HttpFault.badRequest(
      `Invalid input received: quota_class_name has ${length} characters, more than 255.`,
    );
  }
  // Nova stores every given value, networks included (only quota sets refuse it).
  const limits: QuotaRows = {};
  for (const [key, value] of Object.entries(body.quota_class_set)) {
    if (value !== undefined) limits[key] = Number(value);
  }
  const after = await request.backend.updateQuotaClass(request.context, className, limits);
  return {
    status: 200,
    body: { quota_class_set: quotaSetView(quotaClassSetResources(request.version), after) },
  };
};

/** `os-quota-class-sets` endpoints. */
export const quotaClassSetHandlers = { show: showQuotaClassSet, update: updateQuotaClassSet };

const LIMITS_QUERY = new Set(["tenant_id"]);

/** `GET /limits`: the caller's project's limits and usage, or (for admins) `tenant_id`'s. */
export const showLimits: Handler = async (request) => {
  request.authorize("os_compute_api:limits", {});
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, LIMITS_QUERY);
  let projectId = request.context.projectId;
  if (request.query.has("tenant_id")) {
    projectId = request.query.getAll("tenant_id").at(-1)!;
    request.authorize("os_compute_api:limits:other_project");
  }
  const usage = await request.backend.getQuotaUsage(request.context, projectId, null);
  return { status: 200, body: limitsView(request.version, usage) };
};
