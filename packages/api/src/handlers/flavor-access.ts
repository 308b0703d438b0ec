import { addTenantAccessRequestSchema, removeTenantAccessRequestSchema } from "@nova/client";
import { FlavorAccessExistsError, FlavorAccessNotFoundError } from "../errors/flavor-errors.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { Handler } from "../router.js";
import { validateBody } from "../validation.js";

// nova/api/openstack/compute/flavor_access.py: who may use a private flavor; admin-only in Zed.

function accessView(flavorId: string, projects: readonly string[]) {
  return { flavor_access: projects.map((tenant_id) => ({ flavor_id: flavorId, tenant_id })) };
}

function mapped(error: unknown): never {
  if (FlavorNotFoundError.isInstance(error) || FlavorAccessNotFoundError.isInstance(error)) {
    throw HttpFault.notFound(error.message);
  }
  if (FlavorAccessExistsError.isInstance(error)) throw HttpFault.conflict(error.message);
  throw error;
}

const listAccess: Handler = async (request) => {
  request.authorize("os_compute_api:os-flavor-access");
  const flavorId = request.params.id!;
  const flavor = await request.backend.getFlavor(request.context, flavorId).catch(mapped);
  if (flavor.isPublic) throw HttpFault.notFound("Access list not available for public flavors.");
  const projects = await request.backend.listFlavorAccess(request.context, flavorId).catch(mapped);
  return { status: 200, body: accessView(flavorId, projects) };
};

const addTenantAccess: Handler = async (request) => {
  const { addTenantAccess: vals } = validateBody(addTenantAccessRequestSchema, request.body);
  request.authorize("os_compute_api:os-flavor-access:add_tenant_access");
  const flavorId = request.params.id!;
  const flavor = await request.backend.getFlavor(request.context, flavorId).catch(mapped);
  // Before 2.7 Nova recorded access to a public flavor (to no effect).
  if (request.version.atLeast("2.7") && flavor.isPublic) {
    throw HttpFault.conflict("Can not add access to a public flavor.");
  }
  const projects = await request.backend
    .addFlavorAccess(request.context, flavorId, vals.tenant)
    .catch(mapped);
  return { status: 200, body: accessView(flavorId, projects) };
};

const removeTenantAccess: Handler = async (request) => {
  const { removeTenantAccess: vals } = validateBody(removeTenantAccessRequestSchema, request.body);
  request.authorize("os_compute_api:os-flavor-access:remove_tenant_access");
  const flavorId = request.params.id!;
  const projects = await request.backend
    .removeFlavorAccess(request.context, flavorId, vals.tenant)
    .catch(mapped);
  return { status: 200, body: accessView(flavorId, projects) };
};

/** `os-flavor-access` list and the flavor actions. */
export const flavorAccessHandlers = { index: listAccess };

/** `POST /flavors/{id}/action` handlers by action name. */
export const flavorActions: Record<string, Handler> = { addTenantAccess, removeTenantAccess };
