import type { ApiConfig } from "../api-config.js";
import { boolFromString } from "../bool-from-string.js";
import type { ImageRecord } from "../compute-backend.js";
import { applyLinkPrefix, type LinkBuilder } from "./links.js";
import { isoTime } from "./time-format.js";

const STATUS: Record<string, string> = {
  active: "ACTIVE",
  queued: "SAVING",
  saving: "SAVING",
  deleted: "DELETED",
  pending_delete: "DELETED",
  killed: "ERROR",
};
const PROGRESS: Record<string, number> = { queued: 25, saving: 50, active: 100 };

/**
 * Where the `alternate` image links point, from `[glance] api_servers` (the first; `http://` when it names no
 * scheme, as Nova's get_api_servers) and `[api] glance_link_prefix`; undefined when neither is configured:
 * nova-ts serves images from its own catalogue, so without a Glance there is no other place to link.
 */
export function glanceImageBase(config: Pick<ApiConfig, "glance_api_servers" | "glance_link_prefix">) {
  const server = config.glance_api_servers[0];
  if (server === undefined) return config.glance_link_prefix?.replace(/\/+$/, "") || undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  return applyLinkPrefix(url, config.glance_link_prefix).replace(/\/+$/, "");
}

function imageLinks(image: ImageRecord, links: LinkBuilder, glanceUrl: string | undefined) {
  const own = links.links("images", image.id);
  if (glanceUrl === undefined) return own;
  return [
    ...own,
    { rel: "alternate", type: "application/vnd.openstack.image", href: `${glanceUrl}/images/${image.id}` },
  ];
}

/** One entry of `GET /images`. */
export function imageBasicView(image: ImageRecord, links: LinkBuilder, glanceUrl: string | undefined) {
  return { id: image.id, name: image.name, links: imageLinks(image, links, glanceUrl) };
}

/** An image in detail, as Nova's image proxy translates Glance's fields. */
export function imageDetailView(image: ImageRecord, links: LinkBuilder, glanceUrl: string | undefined) {
  const out: Record<string, unknown> = {
    id: image.id,
    name: image.name,
    minRam: image.minRam,
    minDisk: image.minDisk,
    metadata: image.properties,
    created: image.createdAt ? isoTime(image.createdAt) : null,
    updated: image.updatedAt ? isoTime(image.updatedAt) : null,
    status: STATUS[image.status] ?? "UNKNOWN",
    progress: PROGRESS[image.status] ?? 0,
    "OS-EXT-IMG-SIZE:size": image.size,
    links: imageLinks(image, links, glanceUrl),
  };
  const instanceUuid = image.properties.instance_uuid;
  if (typeof instanceUuid === "string") {
    out.server = { id: instanceUuid, links: links.links("servers", instanceUuid) };
  }
  const autoDiskConfig = image.properties.auto_disk_config;
  if (autoDiskConfig !== undefined) {
    // Nova: bool_from_string(auto_disk_config), not strict, so an unknown word is MANUAL.
    out["OS-DCF:diskConfig"] = boolFromString(autoDiskConfig) ? "AUTO" : "MANUAL";
  }
  return out;
}
