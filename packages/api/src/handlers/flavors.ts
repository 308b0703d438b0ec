import { FLAVOR_SORT_KEYS } from "@nova/client";
import { boolFromString } from "../bool-from-string.js";
import type { FlavorQuery } from "../compute-backend.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { HttpFault } from "../http-fault.js";
import { checkEnum, checkNonNegativeInteger, checkNoUnknown, lastValue } from "../query-params.js";
import type { ApiReply, ApiRequest, Handler } from "../router.js";
import { flavorBasicView, flavorDetailView } from "../views/flavor-view.js";

/** Whether flavor views from 2.61 show extra specs: Nova's non-fatal `os-flavor-extra-specs:index` check. */
export function mayListExtraSpecs(request: ApiRequest): boolean {
  if (!request.version.atLeast("2.61")) return false;
  try {
    request.authorize("os_compute_api:os-flavor-extra-specs:index");
    return true;
  } catch (error) {
    if (HttpFault.isInstance(error) && error.status === 403) return false;
    throw error;
  }
}

const KNOWN = new Set(["limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"]);

function flavorQuery(request: ApiRequest): FlavorQuery {
  const { query, version, context, config } = request;
  checkNonNegativeInteger(query, "limit");
  checkEnum(query, "sort_key", FLAVOR_SORT_KEYS);
  checkEnum(query, "sort_dir", ["asc", "desc"]);
  if (version.atLeast("2.75")) checkNoUnknown(query, KNOWN);
  const limit = lastValue(query, "limit");
  const out: FlavorQuery = {
    isPublic: true,
    sortKey: lastValue(query, "sort_key") || "flavorid",
    sortDir: (lastValue(query, "sort_dir") || "asc") as "asc" | "desc",
    limit: Math.min(config.max_limit, limit !== undefined ? Number(limit) : config.max_limit),
  };
  const marker = lastValue(query, "marker");
  if (marker !== undefined) out.marker = marker;
  if (context.isAdmin) {
    const isPublic = lastValue(query, "is_public");
    if (isPublic !== undefined) {
      if (isPublic.toLowerCase() === "none") out.isPublic = null;
      else {
        const parsed = boolFromString(isPublic);
        if (parsed === undefined) throw HttpFault.badRequest(`Invalid is_public filter [${isPublic}]`);
        out.isPublic = parsed;
      }
    }
  } else {
    out.disabled = false;
  }
  const minRam = lastValue(query, "minRam");
  if (minRam !== undefined) {
    if (!/^\s*[-+]?\d+\s*$/.test(minRam)) throw HttpFault.badRequest(`Invalid minRam filter [${minRam}]`);
    out.minMemoryMb = Number(minRam);
  }
  const minDisk = lastValue(query, "minDisk");
  if (minDisk !== undefined) {
    if (!/^\s*[-+]?\d+\s*$/.test(minDisk)) throw HttpFault.badRequest(`Invalid minDisk filter [${minDisk}]`);
    out.minRootGb = Number(minDisk);
  }
  return out;
}

async function listFlavors(request: ApiRequest, detail: boolean): Promise<ApiReply> {
  const query = flavorQuery(request);
  let flavors: Awaited<ReturnType<typeof request.backend.listFlavors>>;
  try {
    flavors = await request.backend.listFlavors(request.context, query);
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error)) {
      throw HttpFault.badRequest(`marker [${query.marker}] not found`);
    }
    throw error;
  }
  const extraSpecs = mayListExtraSpecs(request);
  const body: Record<string, unknown> = {
    flavors: flavors.map((f) =>
      detail
        ? flavorDetailView(f, request.version, request.links, extraSpecs)
        : flavorBasicView(f, request.version, request.links),
    ),
  };
  const links = request.links.collectionLinks(
    detail ? "flavors/detail" : "flavors",
    flavors.map((f) => f.flavorId),
    request.query,
    request.config.max_limit,
  );
  if (links) body.flavors_links = links;
  return { status: 200, body };
}

const showFlavor: Handler = async (request) => {
  try {
    const flavor = await request.backend.getFlavor(request.context, request.params.id!);
    return {
      status: 200,
      body: { flavor: flavorDetailView(flavor, request.version, request.links, mayListExtraSpecs(request)) },
    };
  } catch (error) {
    if (FlavorNotFoundError.isInstance(error)) throw HttpFault.notFound(error.message);
    throw error;
  }
};

/** Flavor endpoints. */
export const flavorHandlers = {
  index: (request: ApiRequest) => listFlavors(request, false),
  detail: (request: ApiRequest) => listFlavors(request, true),
  show: showFlavor,
};
