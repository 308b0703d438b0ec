import { z } from "zod";
import { keystoneAuthtokenSchema } from "./keystone/keystone-authtoken-config.js";

/** nova-api options this package reads, with Nova's (oslo) names and defaults. */
export const apiConfigSchema = z
  .object({
    /** `[api] auth_strategy`: `noauth2` (development: `user:project` tokens) or `keystone` (tokens validated). */
    auth_strategy: z.enum(["noauth2", "keystone"]).default("noauth2"),
    /** `[keystone_authtoken]`: how tokens are validated; required with `auth_strategy = keystone`. */
    keystone_authtoken: keystoneAuthtokenSchema.optional(),
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
    /**
     * `[api] max_concurrent_reads` (nova-ts): GET requests worked on at once, the rest wait in arrival order
     * (0: no limit). Nova bounds its eventlet pool instead (`[wsgi] default_pool_size`, 1000).
     */
    max_concurrent_reads: z.number().int().min(0).default(8),
  })
  .refine((c) => c.auth_strategy !== "keystone" || c.keystone_authtoken !== undefined, {
    message: "auth_strategy keystone needs the [keystone_authtoken] options",
    path: ["keystone_authtoken"],
  });
/** Parsed nova-api configuration. */
export type ApiConfig = z.infer<typeof apiConfigSchema>;
/** Configuration as given (every option optional). */
export type ApiConfigInput = z.input<typeof apiConfigSchema>;
