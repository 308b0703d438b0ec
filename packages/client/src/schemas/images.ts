import { z } from "zod";
import { linkSchema } from "./link.js";

/** One entry of `GET /images` (Nova's image proxy, microversions 2.1 .. 2.35). */
export const imageSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable(),
  links: z.array(linkSchema),
});
/** One entry of `GET /images`. */
export type ImageSummary = z.infer<typeof imageSummarySchema>;

/** An image in detail as the proxy shows it. */
export const imageSchema = imageSummarySchema.extend({
  minRam: z.number(),
  minDisk: z.number(),
  metadata: z.record(z.string(), z.unknown()),
  created: z.string().nullable(),
  updated: z.string().nullable(),
  status: z.enum(["ACTIVE", "SAVING", "DELETED", "ERROR", "UNKNOWN"]),
  progress: z.number(),
  "OS-EXT-IMG-SIZE:size": z.number().nullable().optional(),
});
/** An image in detail. */
export type Image = z.infer<typeof imageSchema>;

/** `GET /images` response. */
export const listImagesResponseSchema = z.object({
  images: z.array(imageSummarySchema),
  images_links: z.array(linkSchema).optional(),
});
/** `GET /images/detail` response. */
export const listImagesDetailResponseSchema = z.object({
  images: z.array(imageSchema),
  images_links: z.array(linkSchema).optional(),
});
/** `GET /images/{id}` response. */
export const showImageResponseSchema = z.object({ image: imageSchema });

/** Query of `GET /images`. */
export interface ImageListQuery {
  /** Only images with exactly this name. */
  name?: string;
  /** Only images in this status. */
  status?: string;
  /** The most images in one page. */
  limit?: number;
  /** The id of the last image of the previous page. */
  marker?: string;
}
