import { z } from "zod";

/** A hypermedia link as Nova returns it (`self`, `bookmark`, `next`, `alternate`, `describedby`). */
export const linkSchema = z.looseObject({
  rel: z.string(),
  href: z.string(),
  type: z.string().optional(),
});
/** A hypermedia link. */
export type Link = z.infer<typeof linkSchema>;
