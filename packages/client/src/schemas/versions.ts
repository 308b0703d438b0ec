import { z } from "zod";
import { linkSchema } from "./link.js";

const mediaTypeSchema = z.object({ base: z.string(), type: z.string() });

/** One API version as listed by `GET /`. */
export const versionSummarySchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  version: z.string(),
  min_version: z.string(),
  updated: z.string(),
  links: z.array(linkSchema),
});

/** `GET /`: the versions this endpoint serves. */
export const versionsResponseSchema = z.object({ versions: z.array(versionSummarySchema) });
/** `GET /` response. */
export type VersionsResponse = z.infer<typeof versionsResponseSchema>;

/** `GET /v2.1/`: the current version with its microversion range. */
export const versionResponseSchema = z.object({
  version: versionSummarySchema.extend({ "media-types": z.array(mediaTypeSchema) }),
});
/** `GET /v2.1/` response. */
export type VersionResponse = z.infer<typeof versionResponseSchema>;
