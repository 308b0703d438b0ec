import { z } from "zod";

/** nova-api options this package reads, with Nova's (oslo) names and defaults. */
export const apiConfigSchema = z.object({
  /** `[api] auth_strategy`: only the development mode `noauth2` is served so far. */
  auth_strategy: z.literal("noauth2").default("noauth2"),
  /** `[api] max_limit`: the most items one list response holds. */
  max_limit: z.number().int().min(0).default(1000),
  /** `[api] compute_link_prefix`: replaces scheme, host and port in links (behind a proxy). */
  compute_link_prefix: z.string().optional(),
  /** `[api] glance_link_prefix`: replaces scheme, host and port of the `alternate` image links. */
  glance_link_prefix: z.string().optional(),
  /** `[glance] api_servers`: Glance endpoints; the first is where the `alternate` image links point. */
  glance_api_servers: z.array(z.string()).default([]),
  /** `[api] use_forwarded_for`: take the client address from X-Forwarded-For. */
  use_forwarded_for: z.boolean().default(false),
  /** `[DEFAULT] reclaim_instance_interval`: above 0, DELETE soft-deletes and the compute reclaims later. */
  reclaim_instance_interval: z.number().int().default(0),
  /** `[oslo_middleware] max_request_body_size`: larger bodies get 413. */
  max_request_body_size: z.number().int().positive().default(114688),
});
/** Parsed nova-api configuration. */
export type ApiConfig = z.infer<typeof apiConfigSchema>;
/** Configuration as given (every option optional). */
export type ApiConfigInput = z.input<typeof apiConfigSchema>;
