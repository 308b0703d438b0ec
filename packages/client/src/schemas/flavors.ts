import { z } from "zod";
import type { Strict } from "../strict.js";
import { linkSchema } from "./link.js";

/** One entry of `GET /flavors`. */
export const flavorSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  links: z.array(linkSchema),
  description: z.string().nullable().optional(),
});
/** One entry of `GET /flavors`. */
export type FlavorSummary = Strict<z.infer<typeof flavorSummarySchema>>;

/** A flavor in detail (`GET /flavors/{id}`, `GET /flavors/detail`). */
export const flavorSchema = flavorSummarySchema.extend({
  ram: z.number(),
  disk: z.number(),
  // Nova shows swap 0 as "" before 2.75.
  swap: z.union([z.number(), z.literal("")]),
  "OS-FLV-EXT-DATA:ephemeral": z.number(),
  "OS-FLV-DISABLED:disabled": z.boolean(),
  vcpus: z.number(),
  "os-flavor-access:is_public": z.boolean(),
  rxtx_factor: z.union([z.number(), z.literal("")]),
  extra_specs: z.record(z.string(), z.string()).optional(),
});
/** A flavor in detail. */
export type Flavor = Strict<z.infer<typeof flavorSchema>>;

/** `GET /flavors` response. */
export const listFlavorsResponseSchema = z.object({
  flavors: z.array(flavorSummarySchema),
  flavors_links: z.array(linkSchema).optional(),
});
/** `GET /flavors/detail` response. */
export const listFlavorsDetailResponseSchema = z.object({
  flavors: z.array(flavorSchema),
  flavors_links: z.array(linkSchema).optional(),
});
/** `GET /flavors/{id}` response. */
export const showFlavorResponseSchema = z.object({ flavor: flavorSchema });

/** Sort keys Nova accepts for flavors. */
export const FLAVOR_SORT_KEYS = [
  "created_at",
  "description",
  "disabled",
  "ephemeral_gb",
  "flavorid",
  "id",
  "is_public",
  "memory_mb",
  "name",
  "root_gb",
  "rxtx_factor",
  "swap",
  "updated_at",
  "vcpu_weight",
  "vcpus",
] as const;

/** Query of `GET /flavors`. */
export interface FlavorListQuery {
  /** The most flavors in one page. */
  limit?: number;
  /** The flavor id of the last flavor of the previous page. */
  marker?: string;
  /** Only flavors with at least this much RAM (MiB). */
  minRam?: number;
  /** Only flavors with at least this much root disk (GiB). */
  minDisk?: number;
  /** Admin only: true, false or "none" (all). */
  is_public?: boolean | "none";
  /** Sort key (`flavorid` by default). */
  sort_key?: (typeof FLAVOR_SORT_KEYS)[number];
  /** Sort direction (`asc` by default). */
  sort_dir?: "asc" | "desc";
}
