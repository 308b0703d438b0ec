import { createExtraSpecsRequestSchema, updateExtraSpecRequestSchema } from "@nova/client";
import { extraSpecViolation } from "@nova/objects";
import { FlavorExtraSpecNotFoundError } from "../errors/flavor-errors.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";

// nova/api/openstack/compute/flavors_extraspecs.py. Reads are for project readers, writes for admins. Values
// may be given as JSON numbers: Nova stores their string form and echoes the body as given.

function authorize(request: ApiRequest, action: "index" | "show" | "create" | "update" | "delete"): void {
  request.authorize(`os_compute_api:os-flavor-extra-specs:${action}`);
}

/** Nova's `_check_extra_specs_value`: numbers at most 255 characters long; from 2.86 the known keys' rules. */
function checkedSpecs(request: ApiRequest, specs: Record<string, string | number>): Record<string, string> {
  const validate = request.version.atLeast("2.86");
  const out: Record<string, string> = {};
  for (const [name, given] of Object.entries(specs)) {
    const value = String(given);
    if (typeof given === "number" && value.length > 255) {
      throw HttpFault.badRequest(
        "Invalid input for extra_specs value. It must be at most 255 characters long.",
      );
    }
    if (validate) {
      const violation = extraSpecViolation(name, value);
      if (violation !== undefined) throw HttpFault.badRequest(violation);
    }
    out[name] = value;
  }
  return out;
}

function notFound(error: unknown): never {
  if (FlavorNotFoundError.isInstance(error) || FlavorExtraSpecNotFoundError.isInstance(error)) {
    throw HttpFault.notFound(error.message);
  }
  throw error;
}

const listExtraSpecs: Handler = async (request) => {
  authorize(request, "index");
  const flavor = await request.backend.getFlavor(request.context, request.params.id!).catch(notFound);
  return { status: 200, body: { extra_specs: flavor.extraSpecs } };
};

const createExtraSpecs: Handler = async (request) => {
  const body = validateBody(createExtraSpecsRequestSchema, request.body);
  authorize(request, "create");
  const specs = checkedSpecs(request, body.extra_specs);
  await request.backend.setFlavorExtraSpecs(request.context, request.params.id!, specs).catch(notFound);
  return { status: 200, body };
};

const updateExtraSpec: Handler = async (request) => {
  const body = validateBody(updateExtraSpecRequestSchema, request.body);
  authorize(request, "update");
  const specs = checkedSpecs(request, body);
  const key = request.params.key!;
  if (!Object.hasOwn(body, key)) throw HttpFault.badRequest("Request body and URI mismatch");
  await request.backend.setFlavorExtraSpecs(request.context, request.params.id!, specs).catch(notFound);
  return { status: 200, body };
};

const showExtraSpec: Handler = async (request) => {
  authorize(request, "show");
  const flavorId = request.params.id!;
  const key = request.params.key!;
  const flavor = await request.backend.getFlavor(request.context, flavorId).catch(notFound);
  if (!Object.hasOwn(flavor.extraSpecs, key)) {
    throw HttpFault.notFound(new FlavorExtraSpecNotFoundError(flavorId, key).message);
  }
  return { status: 200, body: { [key]: flavor.extraSpecs[key] } };
};

const deleteExtraSpec: Handler = async (request) => {
  authorize(request, "delete");
  await request.backend
    .deleteFlavorExtraSpec(request.context, request.params.id!, request.params.key!)
    .catch(notFound);
  // Nova answers 200 with no body.
  return { status: 200 };
};

/** `os-extra_specs` endpoints. */
export const flavorExtraSpecHandlers = {
  index: listExtraSpecs,
  create: createExtraSpecs,
  update: updateExtraSpec,
  show: showExtraSpec,
  delete: deleteExtraSpec,
};
