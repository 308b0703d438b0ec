import { boolFromString } from "../bool-from-string.js";
import type { ImageRecord } from "../compute-backend.js";
import type { LinkBuilder } from "./links.js";
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

function imageLinks(image: ImageRecord, links: LinkBuilder, glanceUrl: string) {
  return [
    ...links.links("images", image.id),
    {
      rel: "alternate",
      type: "application/vnd.openstack.image",
      href: `${glanceUrl.replace(/\/+$/, "")}/images/${image.id}`,
    },
  ];
}

/** One entry of `GET /images`. */
export function imageBasicView(image: ImageRecord, links: LinkBuilder, glanceUrl: string) {
  return { id: image.id, name: image.name, links: imageLinks(image, links, glanceUrl) };
}

/** An image in detail, as Nova's image proxy translates Glance's fields. */
export function imageDetailView(image: ImageRecord, links: LinkBuilder, glanceUrl: string) {
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
