import { z } from "zod";
import type { Strict } from "../strict.js";

/** `GET /limits` response: absolute limits and usage (`maxTotalCores`, `totalCoresUsed`, ...). */
export const limitsResponseSchema = z.object({
  limits: z.looseObject({
    absolute: z.record(z.string(), z.number()),
    rate: z.array(z.unknown()),
  }),
});
/** The caller's limits. */
export type Limits = Strict<z.infer<typeof limitsResponseSchema>["limits"]>;

/** `GET /os-quota-sets/{id}` (and `/defaults`, `os-quota-class-sets/{id}`) body: each resource's limit. */
export const quotaSetSchema = z
  .looseObject({ id: z.string().optional() })
  .catchall(z.union([z.number(), z.string()]));

/** `GET /os-quota-sets/{id}/detail`: each resource's limit, in use and reserved. */
export const quotaSetDetailSchema = z
  .looseObject({ id: z.string().optional() })
  .catchall(
    z.union([z.string(), z.looseObject({ limit: z.number(), in_use: z.number(), reserved: z.number() })]),
  );
