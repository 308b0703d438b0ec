import type { IncomingHttpHeaders } from "node:http";
import { ApiVersion, MAX_API_VERSION, MIN_API_VERSION } from "@nova/client";
import { HttpFault } from "./http-fault.js";

/** The version a request asked for, or the fault Nova answers (400 malformed, 406 out of range). */
export type NegotiatedVersion =
  | { ok: true; version: ApiVersion }
  | { ok: false; fault: HttpFault; echo?: ApiVersion };

/** The microversion requested by `OpenStack-API-Version: compute X.Y` (or the legacy header), as Nova reads it. */
export function negotiateMicroversion(headers: IncomingHttpHeaders): NegotiatedVersion {
  const requested = requestedVersionText(headers);
  if (requested === undefined) return { ok: true, version: MIN_API_VERSION };
  if (requested.toLowerCase() === "latest") return { ok: true, version: MAX_API_VERSION };
  const version = ApiVersion.parse(requested);
  if (!version) {
    return {
      ok: false,
      fault: HttpFault.badRequest(
        `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
      ),
    };
  }
  if (!version.matches(MIN_API_VERSION, MAX_API_VERSION)) {
    return {
      ok: false,
      echo: version,
      fault: new HttpFault(
        406,
        `Version ${version} is not supported by the API. Minimum is ${MIN_API_VERSION} and maximum is ${MAX_API_VERSION}.`,
      ),
    };
  }
  return { ok: true, version };
}

function requestedVersionText(headers: IncomingHttpHeaders): string | undefined {
  // OpenStack-API-Version may list several services ("compute 2.3, volume 3.1"); only ours counts.
  const modern = headers["openstack-api-version"];
  if (modern !== undefined) {
    const values = Array.isArray(modern) ? modern : [modern];
    // Like microversion_parse, the last compute entry wins.
    for (const entry of values.flatMap((v) => v.split(",")).reverse()) {
      const match = /^(\S+)\s+(.+)$/.exec(entry.trim());
      if (match && match[1]!.toLowerCase() === "compute") return match[2]!.trim();
    }
  }
  const legacy = headers["x-openstack-nova-api-version"];
  if (legacy !== undefined) return (Array.isArray(legacy) ? legacy[0] : legacy)?.trim();
  return undefined;
}
