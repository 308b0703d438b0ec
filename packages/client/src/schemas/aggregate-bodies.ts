import { z } from "zod";
import type { Strict } from "../strict.js";

/** A host aggregate as nova-api shows it (`uuid` from 2.41; create leaves out hosts and metadata). */
export const aggregateSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  availability_zone: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  deleted: z.boolean(),
  deleted_at: z.string().nullable(),
  hosts: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  uuid: z.string().optional(),
});
/** A host aggregate. */
export type Aggregate = Strict<z.infer<typeof aggregateSchema>>;

/** `GET /os-aggregates` response. */
export const listAggregatesResponseSchema = z.object({ aggregates: z.array(aggregateSchema) });

/** One aggregate in a response (`{"aggregate": ...}`). */
export const aggregateResponseSchema = z.object({ aggregate: aggregateSchema });
