import { checkNoUnknown, lastValue } from "../query-params.js";
import type { Handler } from "../router.js";
import { serviceView } from "../views/service-view.js";

// Nova leaves the API services themselves out of os-services.
const API_BINARIES = new Set(["nova-osapi_compute", "nova-metadata"]);

/** `GET /os-services`: admin only by Nova's default policy. */
export const listServices: Handler = async (request) => {
  request.authorize("os_compute_api:os-services:list");
  if (request.version.atLeast("2.75")) checkNoUnknown(request.query, new Set(["host", "binary"]));
  const filter: { host?: string; binary?: string } = {};
  const host = lastValue(request.query, "host");
  if (host) filter.host = host;
  const binary = lastValue(request.query, "binary");
  if (binary) filter.binary = binary;
  // From 2.69 the computes of a cell that does not answer are listed from its host mappings, UNKNOWN.
  const services = await request.backend.listServices(request.context, {
    ...filter,
    ...(request.version.atLeast("2.69") ? { cellDownSupport: true } : {}),
  });
  return {
    status: 200,
    body: {
      services: services
        .filter((s) => !API_BINARIES.has(s.binary))
        .filter((s) => !filter.host || s.host === filter.host)
        .filter((s) => !filter.binary || s.binary === filter.binary)
        .map((s) => serviceView(s, request.version)),
    },
  };
};
