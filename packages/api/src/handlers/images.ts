import { MAX_PROXY_API_VERSION } from "@nova/client";
import type { ImageQuery } from "../compute-backend.js";
import { ImageNotFoundError } from "../errors/image-not-found.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { HttpFault } from "../http-fault.js";
import { lastValue } from "../query-params.js";
import type { ApiReply, ApiRequest, Handler } from "../router.js";
import { glanceImageBase, imageBasicView, imageDetailView } from "../views/image-view.js";

/** The image proxy exists up to 2.35; later microversions answer 404, as Nova does. */
function requireProxyVersion(request: ApiRequest): void {
  if (request.version.compare(MAX_PROXY_API_VERSION) > 0) throw HttpFault.notFound();
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = lastValue(query, name);
  if (value === undefined) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(value)) throw HttpFault.badRequest(`${name} must be an integer`);
  const parsed = Number(value);
  if (parsed < 0) throw HttpFault.badRequest(`${name} must be >= 0`);
  return parsed;
}

async function listImages(request: ApiRequest, detail: boolean): Promise<ApiReply> {
  requireProxyVersion(request);
  const query: ImageQuery = {};
  const name = lastValue(request.query, "name");
  if (name !== undefined) query.name = name;
  const status = lastValue(request.query, "status");
  if (status !== undefined) query.status = status.toLowerCase();
  const limit = intParam(request.query, "limit");
  if (limit !== undefined) query.limit = limit;
  const marker = lastValue(request.query, "marker");
  if (marker !== undefined) query.marker = marker;
  let images: Awaited<ReturnType<typeof request.backend.listImages>>;
  try {
    images = await request.backend.listImages(request.context, query);
  } catch (error) {
    if (MarkerNotFoundError.isInstance(error)) {
      throw HttpFault.badRequest(error.message);
    }
    throw error;
  }
  const glance = glanceImageBase(request.config);
  const body: Record<string, unknown> = {
    images: images.map((i) =>
      detail ? imageDetailView(i, request.links, glance) : imageBasicView(i, request.links, glance),
    ),
  };
  const links = request.links.collectionLinks(
    detail ? "images/detail" : "images",
    images.map((i) => i.id),
    request.query,
    request.config.max_limit,
  );
  if (links) body.images_links = links;
  return { status: 200, body };
}

const showImage: Handler = async (request) => {
  requireProxyVersion(request);
  try {
    const image = await request.backend.getImage(request.context, request.params.id!);
    return {
      status: 200,
      body: { image: imageDetailView(image, request.links, glanceImageBase(request.config)) },
    };
  } catch (error) {
    if (ImageNotFoundError.isInstance(error)) {
      throw HttpFault.notFound("Image not found.");
    }
    throw error;
  }
};

/** Image proxy endpoints. */
export const imageHandlers = {
  index: (request: ApiRequest) => listImages(request, false),
  detail: (request: ApiRequest) => listImages(request, true),
  show: showImage,
};
