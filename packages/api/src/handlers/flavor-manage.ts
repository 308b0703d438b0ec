import { randomUUID } from "node:crypto";
import {
  createFlavorRequestSchemaFor,
  FLAVOR_MAX_RXTX_FACTOR,
  updateFlavorRequestSchema,
} from "@nova/client";
import { boolFromString } from "../bool-from-string.js";
import { FlavorExistsError, FlavorIdExistsError } from "../errors/flavor-errors.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { flavorDetailView } from "../views/flavor-view.js";
import { mayListExtraSpecs } from "./flavors.js";

// nova/api/openstack/compute/flavor_manage.py: admin-only create, delete and (2.55) description update. The
// body is validated before the policy check, as Nova's schema decorator runs first.

function authorize(request: ApiRequest, action: "create" | "update" | "delete"): void {
  request.authorize(`os_compute_api:os-flavor-manage:${action}`);
}

/** Nova's `str(flavorid)` of a JSON id, or a new uuid when none (or a falsy one: null, 0) is given. */
function flavorIdOf(id: string | number | null | undefined): string {
  if (id === undefined || id === null || id === 0) return randomUUID();
  return String(id);
}

const createFlavor: Handler = async (request) => {
  const { version } = request;
  const { flavor: vals } = validateBody(createFlavorRequestSchemaFor(version), request.body);
  authorize(request, "create");
  // nova.compute.flavors.create re-checks the factor as a float (a "0" string passes the schema); Nova
  // lets that InvalidInput become a 500, answered here as the 400 it describes.
  const rxtxFactor = Number(vals.rxtx_factor ?? 1.0);
  if (!(rxtxFactor > 0 && rxtxFactor <= FLAVOR_MAX_RXTX_FACTOR)) {
    throw HttpFault.badRequest(
      "Invalid input received: 'rxtx_factor' argument must be a float between 0 and 3.40282e+38",
    );
  }
  const flavorId = flavorIdOf(vals.id);
  const asked = (vals as { description?: string | null }).description;
  const description = version.atLeast("2.55") ? (asked ?? null) : null;
  try {
    const flavor = await request.backend.createFlavor(request.context, {
      flavorId,
      name: vals.name.trim(),
      memoryMb: Number(vals.ram),
      vcpus: Number(vals.vcpus),
      rootGb: Number(vals.disk),
      ephemeralGb: Number(vals["OS-FLV-EXT-DATA:ephemeral"] ?? 0),
      swap: Number(vals.swap ?? 0),
      rxtxFactor,
      isPublic: boolFromString(vals["os-flavor-access:is_public"] ?? true) ?? true,
      description,
    });
    // A new flavor has no extra specs; from 2.61 they show as {} to those allowed to list them.
    return {
      status: 200,
      body: { flavor: flavorDetailView(flavor, version, request.links, mayListExtraSpecs(request)) },
    };
  } catch (error) {
    if (FlavorExistsError.isInstance(error) || FlavorIdExistsError.isInstance(error)) {
      throw HttpFault.conflict(error.message);
    }
    throw error;
  }
};

const updateFlavor: Handler = async (request) => {
  // The update method exists from 2.55 only: Nova's VersionNotFoundForAPIMethod, a plain 404.
  if (!request.version.atLeast("2.55")) throw HttpFault.notFound();
  const { flavor: vals } = validateBody(updateFlavorRequestSchema, request.body);
  authorize(request, "update");
  try {
    const flavor = await request.backend.updateFlavorDescription(
      request.context,
      request.params.id!,
      vals.description,
    );
    return {
      status: 200,
      body: {
        flavor: flavorDetailView(flavor, request.version, request.links, mayListExtraSpecs(request)),
      },
    };
  } catch (error) {
    if (FlavorNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
};

const deleteFlavor: Handler = async (request) => {
  authorize(request, "delete");
  try {
    await request.backend.deleteFlavor(request.context, request.params.id!);
  } catch (error) {
    if (FlavorNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
  // Nova keeps its historical 202.
  return { status: 202 };
};

/** `os-flavor-manage` endpoints. */
export const flavorManageHandlers = { create: createFlavor, update: updateFlavor, delete: deleteFlavor };
