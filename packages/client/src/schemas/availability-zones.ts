import { z } from "zod";
import type { Strict } from "../strict.js";

/** One zone of `GET /os-availability-zone` (`hosts` is null, or in detail each host's services). */
export const availabilityZoneSchema = z.looseObject({
  zoneName: z.string(),
  zoneState: z.looseObject({ available: z.boolean() }),
  hosts: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.looseObject({ available: z.boolean(), active: z.boolean(), updated_at: z.string().nullable() }),
      ),
    )
    .nullable(),
});
/** An availability zone. */
export type AvailabilityZone = Strict<z.infer<typeof availabilityZoneSchema>>;

/** `GET /os-availability-zone` and `/detail` response. */
export const listAvailabilityZonesResponseSchema = z.object({
  availabilityZoneInfo: z.array(availabilityZoneSchema),
});
