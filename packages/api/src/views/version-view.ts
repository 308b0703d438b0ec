import { MAX_API_VERSION, MIN_API_VERSION } from "@nova/client";
import { urlJoin } from "./links.js";

// Nova's VERSIONS table (nova/api/openstack/compute/versions.py): the legacy v2.0 API is still listed,
// and keystoneauth picks v2.1 from the list because it is the highest version of major 2.
const VERSIONS = {
  "v2.0": {
    id: "v2.0",
    status: "SUPPORTED",
    version: "",
    min_version: "",
    updated: "2011-01-21T11:33:21Z",
    path: "v2",
    mediaType: "application/vnd.openstack.compute+json;version=2",
  },
  "v2.1": {
    id: "v2.1",
    status: "CURRENT",
    version: MAX_API_VERSION.toString(),
    min_version: MIN_API_VERSION.toString(),
    updated: "2013-07-23T11:33:21Z",
    path: "v2.1",
    mediaType: "application/vnd.openstack.compute+json;version=2.1",
  },
} as const;

/** A version Nova lists: `v2.1` (microversions 2.1 .. 2.93) or the legacy `v2.0`. */
export type ListedVersion = keyof typeof VERSIONS;

/** `GET /` (no token needed): every version, each linking to its root. */
export function versionsView(rootUrl: string) {
  return {
    versions: Object.values(VERSIONS).map(({ id, status, version, min_version, updated, path }) => ({
      id,
      status,
      version,
      min_version,
      updated,
      links: [{ rel: "self", href: `${urlJoin(rootUrl, path)}/` }],
    })),
  };
}

/** `GET /v2.1/` or `GET /v2/` (no token needed): one version with its microversion range. */
export function versionView(selfHref: string, listed: ListedVersion = "v2.1") {
  const { id, status, version, min_version, updated, mediaType } = VERSIONS[listed];
  return {
    version: {
      id,
      status,
      version,
      min_version,
      updated,
      links: [
        { rel: "self", href: selfHref },
        { rel: "describedby", type: "text/html", href: "http://docs.openstack.org/" },
      ],
      "media-types": [{ base: "application/json", type: mediaType }],
    },
  };
}
