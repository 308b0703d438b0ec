import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { descriptionParam, hostnameParam, metadataParam, nameParam, tagParam } from "./parameter-types.js";

// Nova's request schemas for server update (schemas/servers.py update*), server metadata
// (schemas/server_metadata.py), server tags (schemas/server_tags.py) and lock (schemas/lock_server.py).

const updateBase = {
  name: nameParam.optional(),
  "OS-DCF:diskConfig": z.enum(["AUTO", "MANUAL"]).optional(),
  accessIPv4: z.ipv4().optional(),
  accessIPv6: z.ipv6().optional(),
};
const updateV219 = { ...updateBase, description: descriptionParam.optional() };
const updateV290 = { ...updateV219, hostname: hostnameParam.optional() };
const updateEnvelope = <T extends z.ZodRawShape>(server: T) =>
  z.strictObject({ server: z.strictObject(server) });

/** `PUT /servers/{id}` body at 2.1 .. 2.18. */
export const updateServerRequestSchemaV21 = updateEnvelope(updateBase);
/** `PUT /servers/{id}` body at 2.19 .. 2.89 (adds `description`). */
export const updateServerRequestSchemaV219 = updateEnvelope(updateV219);
/** `PUT /servers/{id}` body from 2.90 (adds `hostname`). */
export const updateServerRequestSchemaV290 = updateEnvelope(updateV290);

/** The `PUT /servers/{id}` body schema Nova applies at a microversion. */
export function updateServerRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.90")) return updateServerRequestSchemaV290;
  if (version.atLeast("2.19")) return updateServerRequestSchemaV219;
  return updateServerRequestSchemaV21;
}

/** `POST` and `PUT /servers/{id}/metadata` body: the items to merge or the whole new metadata. */
export const serverMetadataRequestSchema = z.strictObject({ metadata: metadataParam });

/** `PUT /servers/{id}/metadata/{key}` body: exactly one item. */
export const serverMetadataItemRequestSchema = z.strictObject({
  meta: metadataParam
    .refine((m) => Object.keys(m).length >= 1, { error: "{} does not have enough properties" })
    .refine((m) => Object.keys(m).length <= 1, { error: "has too many properties" }),
});

/** `PUT /servers/{id}/tags` body (2.26): the new tags, at most 50. */
export const serverTagsRequestSchema = z.strictObject({ tags: z.array(tagParam).max(50) });

/** `PUT /servers/{id}/tags/{tag}` body (2.26): none (JSON null). */
export const serverTagRequestSchema = z.null();

/** `POST /servers/{id}/action` lock body from 2.73: an optional reason (1-255 characters). */
export const lockActionSchemaV273 = z.strictObject({
  lock: z.union([z.strictObject({ locked_reason: z.string().min(1).max(255).optional() }), z.null()]),
});
