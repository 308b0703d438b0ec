import { MAX_API_VERSION, MIN_API_VERSION } from "@nova/client";
import { urlJoin } from "./links.js";

const V21 = {
  id: "v2.1",
  status: "CURRENT",
  version: MAX_API_VERSION.toString(),
  min_version: MIN_API_VERSION.toString(),
  updated: "2013-07-23T11:33:21Z",
};

/** `GET /`: the versions served. Nova also lists the legacy v2.0 API; it is not served here, so not listed. */
export function versionsView(rootUrl: string) {
  return { versions: [{ ...V21, links: [{ rel: "self", href: `${urlJoin(rootUrl, "v2.1")}/` }] }] };
}

/** `GET /v2.1/`: the current version with its microversion range. */
export function versionView(selfHref: string) {
  return {
    version: {
      ...V21,
      links: [
        { rel: "self", href: selfHref },
        { rel: "describedby", type: "text/html", href: "http://docs.openstack.org/" },
      ],
      "media-types": [
        { base: "application/json", type: "application/vnd.openstack.compute+json;version=2.1" },
      ],
    },
  };
}
