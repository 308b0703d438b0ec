import {
  isUuidLike,
  serviceActionBodySchema,
  serviceActionBodySchemaV211,
  serviceUpdateBodySchemaV253,
} from "@nova/client";
import { boolFromString, strictBoolFromString } from "../bool-from-string.js";
import type { ServiceRecord } from "../compute-backend.js";
import { ServiceNotFoundError } from "../errors/service-not-found.js";
import type { ServiceChanges } from "../host-records.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { serviceView } from "../views/service-view.js";

// 2.53 addresses a service by its uuid in the path; before, the path names an action and the body the service.
const UUID_FOR_ID = "2.53";

function authorize(request: ApiRequest, rule: string): void {
  request.authorize(`os_compute_api:os-services:${rule}`);
}

function onlyComputes(binary: string): void {
  if (binary !== "nova-compute") {
    throw HttpFault.badRequest(
      `Updating a ${binary} service is not supported. Only nova-compute services can be updated.`,
    );
  }
}

async function serviceById(request: ApiRequest, id: string, notFound?: string): Promise<ServiceRecord> {
  try {
    return await request.backend.getService(request.context, id);
  } catch (error) {
    if (ServiceNotFoundError.isInstance(error)) throw HttpFault.notFound(notFound ?? error.message);
    throw error;
  }
}

/** `PUT /os-services/{enable,disable,disable-log-reason,force-down}` before 2.53: host and binary in the body. */
async function legacyAction(request: ApiRequest, action: string) {
  const forceDown = request.version.atLeast("2.11");
  const body = validateBody(forceDown ? serviceActionBodySchemaV211 : serviceActionBodySchema, request.body);
  authorize(request, "update");
  const { host, binary } = body;
  let changes: ServiceChanges;
  let shown: Record<string, unknown>;
  if (action === "enable") {
    changes = { disabled: false, disabledReason: null };
    shown = { host, binary, status: "enabled" };
  } else if (action === "disable" || action === "disable-log-reason") {
    let reason: string | null = null;
    if (action === "disable-log-reason") {
      if (body.disabled_reason === undefined) throw HttpFault.badRequest("Missing disabled reason field");
      reason = body.disabled_reason;
    }
    changes = { disabled: true, disabledReason: reason };
    shown = { host, binary, status: "disabled", ...(reason ? { disabled_reason: reason } : {}) };
  } else if (action === "force-down" && forceDown) {
    const raw = "forced_down" in body ? body.forced_down : undefined;
    if (raw === undefined) throw HttpFault.badRequest("Missing forced_down field");
    const forcedDown = boolFromString(raw) ?? false;
    changes = { forcedDown };
    shown = { host, binary, forced_down: forcedDown };
  } else {
    throw HttpFault.notFound("Unknown action");
  }
  onlyComputes(binary);
  const [service] = await request.backend.listServices(request.context, { host, binary });
  if (!service) throw HttpFault.notFound(`Could not find binary ${binary} on host ${host}.`);
  await request.backend.updateService(request.context, service.uuid, changes);
  return { status: 200, body: { service: shown } };
}

/** `PUT /os-services/{service_uuid}` from 2.53: status, disabled_reason and forced_down of one service. */
async function updateByUuid(request: ApiRequest, id: string) {
  const body = validateBody(serviceUpdateBodySchemaV253, request.body);
  if (!isUuidLike(id)) throw HttpFault.badRequest(`Invalid uuid ${id}`);
  authorize(request, "update");
  const service = await serviceById(request, id);
  onlyComputes(service.binary);
  const changes: ServiceChanges = {};
  if (body.status === "enabled") {
    if (body.disabled_reason) {
      throw HttpFault.badRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
    }
    changes.disabled = false;
    changes.disabledReason = null;
  } else if (body.status === "disabled") {
    changes.disabled = true;
    changes.disabledReason = body.disabled_reason ?? null;
  }
  if (body.forced_down !== undefined) changes.forcedDown = strictBoolFromString(body.forced_down);
  if (Object.keys(changes).length === 0) {
    throw HttpFault.badRequest(
      "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
    );
  }
  const updated = await request.backend.updateService(request.context, service.uuid, changes);
  return { status: 200, body: { service: serviceView(updated, request.version) } };
}

/** `PUT /os-services/{action or uuid}`. */
const updateService: Handler = async (request) => {
  const id = request.params.id!;
  return request.version.atLeast(UUID_FOR_ID) ? updateByUuid(request, id) : legacyAction(request, id);
};

/** `DELETE /os-services/{id}`: a compute that still hosts servers stays (409); its nodes go with it. */
const deleteService: Handler = async (request) => {
  authorize(request, "delete");
  const id = request.params.id!;
  if (request.version.atLeast(UUID_FOR_ID)) {
    if (!isUuidLike(id)) throw HttpFault.badRequest(`Invalid uuid ${id}`);
  } else if (!/^\s*[-+]?\d+\s*$/.test(id)) {
    throw HttpFault.badRequest("Invalid input received: id must be an integer");
  }
  const service = await serviceById(request, id.trim(), `Service ${id} not found.`);
  if (service.binary === "nova-compute") {
    const hosted = await request.backend.listHostServers(request.context, service.host);
    if (hosted.length > 0) {
      throw HttpFault.conflict(
        "Unable to delete compute service that is hosting instances. Migrate or delete the instances first.",
      );
    }
  }
  await request.backend.deleteService(request.context, service.uuid);
  return { status: 204 };
};

/** os-services changes (admin only by Nova's default policy). */
export const serviceUpdateHandlers = { update: updateService, delete: deleteService };
