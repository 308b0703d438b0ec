import type { ApiVersion } from "@nova/client";
import type { ServiceRecord } from "../compute-backend.js";
import { naiveIsoTime } from "./time-format.js";

/** One entry of `GET /os-services` (uuid ids from 2.53, forced_down from 2.11). */
export function serviceView(service: ServiceRecord, version: ApiVersion) {
  if (service.cellDown) return { binary: service.binary, host: service.host, status: "UNKNOWN" };
  const out: Record<string, unknown> = {
    binary: service.binary,
    host: service.host,
    id: version.atLeast("2.53") ? service.uuid : service.id,
    zone: service.zone,
    status: service.disabled ? "disabled" : "enabled",
    state: service.isUp ? "up" : "down",
    updated_at: service.updatedAt ? naiveIsoTime(service.updatedAt) : null,
    disabled_reason: service.disabledReason,
  };
  if (version.atLeast("2.11")) out.forced_down = service.forcedDown;
  return out;
}
