import { z } from "zod";
import type { Strict } from "../strict.js";

/** One compute service as `GET /os-services` shows it (id is a UUID from 2.53, an integer before). */
export const serviceSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  binary: z.string(),
  host: z.string(),
  zone: z.string(),
  status: z.enum(["enabled", "disabled"]),
  state: z.enum(["up", "down"]),
  updated_at: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  forced_down: z.boolean().optional(),
});
/** One service. */
export type Service = Strict<z.infer<typeof serviceSchema>>;

/** `GET /os-services` response. */
export const listServicesResponseSchema = z.object({ services: z.array(serviceSchema) });

/** Query of `GET /os-services`. */
export interface ServiceListQuery {
  /** Only services on this host. */
  host?: string;
  /** Only services of this binary (`nova-compute`, ...). */
  binary?: string;
}
