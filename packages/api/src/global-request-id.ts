import type { IncomingHttpHeaders } from "node:http";

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A caller's `X-OpenStack-Request-ID`, when well formed: oslo.middleware takes it as the global request id. */
export function inboundGlobalRequestId(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers["x-openstack-request-id"];
  const inbound = Array.isArray(raw) ? raw[0] : raw;
  return inbound !== undefined && REQUEST_ID.test(inbound) ? inbound : undefined;
}
