import { z } from "zod";
import type { Strict } from "../strict.js";

/** A hypermedia link as Nova returns it (`self`, `bookmark`, `next`, `alternate`, `describedby`). */
export const linkSchema = z.looseObject({
  rel: z.string(),
  href: z.string(),
  type: z.string().optional(),
});
/** A hypermedia link. */
export type Link = Strict<z.infer<typeof linkSchema>>;
