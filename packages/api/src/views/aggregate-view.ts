import type { ApiVersion } from "@nova/client";
import { AZ_METADATA_KEY } from "@nova/objects";
import type { AggregateRecord } from "../aggregate-backend.js";
import { naiveIsoTime } from "./time-format.js";

/** Nova's `_marshall_aggregate`: every Aggregate field, uuid from 2.41; create leaves out hosts and metadata. */
export function aggregateView(
  a: AggregateRecord,
  version: ApiVersion,
  options: { created?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    availability_zone: a.metadata[AZ_METADATA_KEY] ?? null,
    created_at: a.createdAt ? naiveIsoTime(a.createdAt) : null,
    deleted: false,
    deleted_at: null,
    id: a.id,
    name: a.name,
    updated_at: a.updatedAt ? naiveIsoTime(a.updatedAt) : null,
  };
  if (!options.created) {
    out.hosts = [...a.hosts];
    out.metadata = { ...a.metadata };
  }
  if (version.atLeast("2.41")) out.uuid = a.uuid;
  return out;
}
