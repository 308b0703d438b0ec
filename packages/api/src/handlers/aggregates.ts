import {
  aggregateAddHostBodySchema,
  aggregateCreateBodySchema,
  aggregateRemoveHostBodySchema,
  aggregateSetMetadataBodySchema,
  aggregateUpdateBodySchema,
} from "@nova/client";
import type { AggregateUpdate } from "../aggregate-backend.js";
import {
  AggregateHostNotFoundError,
  AggregateNotFoundError,
  ComputeHostNotFoundError,
  InvalidAggregateActionError,
} from "../errors/aggregate-errors.js";
import { HttpFault } from "../http-fault.js";
import type { ApiRequest, Handler } from "../router.js";
import { validateBody } from "../validation.js";
import { aggregateView } from "../views/aggregate-view.js";

// Nova's aggregates controller (nova/api/openstack/compute/aggregates.py); every rule is admin-only by default.

function authorize(request: ApiRequest, rule: string): void {
  request.authorize(`os_compute_api:os-aggregates:${rule}`, {});
}

/** Nova's `utils.validate_integer(id, 'id')`: Python's int() of the path segment. */
function aggregateId(request: ApiRequest): number {
  const raw = request.params.id!;
  if (!/^\s*[-+]?\d+\s*$/.test(raw))
    throw HttpFault.badRequest("Invalid input received: id must be an integer");
  return Number.parseInt(raw.trim(), 10);
}

function shown(request: ApiRequest, aggregate: Parameters<typeof aggregateView>[0]) {
  return { status: 200, body: { aggregate: aggregateView(aggregate, request.version) } };
}

/** `GET /os-aggregates`. */
const index: Handler = async (request) => {
  authorize(request, "index");
  const aggregates = await request.backend.listAggregates(request.context);
  return { status: 200, body: { aggregates: aggregates.map((a) => aggregateView(a, request.version)) } };
};

/** `POST /os-aggregates`: name and optional zone; the answer has no hosts or metadata. */
const create: Handler = async (request) => {
  const body = validateBody(aggregateCreateBodySchema, request.body);
  authorize(request, "create");
  const zone = body.aggregate.availability_zone || null;
  const created = await request.backend.createAggregate(request.context, body.aggregate.name, zone);
  return { status: 200, body: { aggregate: aggregateView(created, request.version, { created: true }) } };
};

/** `GET /os-aggregates/{id}`. */
const show: Handler = async (request) => {
  authorize(request, "show");
  return shown(request, await request.backend.getAggregate(request.context, aggregateId(request)));
};

/** `PUT /os-aggregates/{id}`: a new name (stripped, as normalize_name does) and/or zone. */
const update: Handler = async (request) => {
  const body = validateBody(aggregateUpdateBodySchema, request.body);
  authorize(request, "update");
  const id = aggregateId(request);
  const changes: AggregateUpdate = {};
  if (body.aggregate.name !== undefined) changes.name = body.aggregate.name.trim();
  if (body.aggregate.availability_zone !== undefined)
    changes.availabilityZone = body.aggregate.availability_zone;
  return shown(request, await request.backend.updateAggregate(request.context, id, changes));
};

/** `DELETE /os-aggregates/{id}`: 200 with no body, as Nova answers; a non-empty aggregate stays (400). */
const remove: Handler = async (request) => {
  authorize(request, "delete");
  await request.backend.deleteAggregate(request.context, aggregateId(request));
  return { status: 200 };
};

/** `add_host`: a zone conflict is a 409 here (Nova's controller maps InvalidAggregateAction to conflict). */
const addHost: Handler = async (request) => {
  const body = validateBody(aggregateAddHostBodySchema, request.body);
  authorize(request, "add_host");
  const id = aggregateId(request);
  try {
    return shown(request, await request.backend.addAggregateHost(request.context, id, body.add_host.host));
  } catch (error) {
    if (InvalidAggregateActionError.isInstance(error)) throw HttpFault.conflict(error.message);
    throw error;
  }
};

/** `remove_host`: Nova words every not-found the same way. */
const removeHost: Handler = async (request) => {
  const body = validateBody(aggregateRemoveHostBodySchema, request.body);
  authorize(request, "remove_host");
  const id = aggregateId(request);
  const host = body.remove_host.host;
  try {
    return shown(request, await request.backend.removeAggregateHost(request.context, id, host));
  } catch (error) {
    if (
      AggregateNotFoundError.isInstance(error) ||
      AggregateHostNotFoundError.isInstance(error) ||
      ComputeHostNotFoundError.isInstance(error)
    ) {
      throw HttpFault.notFound(`Cannot remove host ${host} in aggregate ${id}`);
    }
    throw error;
  }
};

/** `set_metadata`: sets keys, a null value deletes one. */
const setMetadata: Handler = async (request) => {
  const body = validateBody(aggregateSetMetadataBodySchema, request.body);
  authorize(request, "set_metadata");
  const id = aggregateId(request);
  return shown(
    request,
    await request.backend.setAggregateMetadata(request.context, id, body.set_metadata.metadata),
  );
};

/** os-aggregates (the 2.81 `cache` image action is not served). */
export const aggregateHandlers = { index, create, show, update, delete: remove };

/** `POST /os-aggregates/{id}/action` by body key. */
export const aggregateActions: Record<string, Handler> = {
  add_host: addHost,
  remove_host: removeHost,
  set_metadata: setMetadata,
};
