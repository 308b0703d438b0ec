import type { ApiVersion } from "@nova/client";
import type { FlavorRecord } from "../compute-backend.js";
import type { LinkBuilder } from "./links.js";

/** One entry of `GET /flavors` (description from 2.55). */
export function flavorBasicView(flavor: FlavorRecord, version: ApiVersion, links: LinkBuilder) {
  const out: Record<string, unknown> = {
    id: flavor.flavorId,
    name: flavor.name,
    links: links.links("flavors", flavor.flavorId),
  };
  if (version.atLeast("2.55")) out.description = flavor.description;
  return out;
}

/**
 * A flavor in detail (description from 2.55, numeric swap from 2.75, extra_specs from 2.61 unless
 * `includeExtraSpecs` is false: Nova shows them only to callers passing `os-flavor-extra-specs:index`).
 */
export function flavorDetailView(
  flavor: FlavorRecord,
  version: ApiVersion,
  links: LinkBuilder,
  includeExtraSpecs = true,
) {
  const out: Record<string, unknown> = {
    id: flavor.flavorId,
    name: flavor.name,
    ram: flavor.memoryMb,
    disk: flavor.rootGb,
    // Before 2.75 Nova shows no swap (and a zero rxtx_factor) as "".
    swap: version.atLeast("2.75") ? flavor.swap : flavor.swap || "",
    "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeralGb,
    "OS-FLV-DISABLED:disabled": flavor.disabled,
    vcpus: flavor.vcpus,
    "os-flavor-access:is_public": flavor.isPublic,
    rxtx_factor: flavor.rxtxFactor || "",
    links: links.links("flavors", flavor.flavorId),
  };
  if (version.atLeast("2.55")) out.description = flavor.description;
  if (version.atLeast("2.61") && includeExtraSpecs) out.extra_specs = flavor.extraSpecs;
  return out;
}
