import { z } from "zod";

/**
 * `[keystone_authtoken]` as nova-api reads it: keystonemiddleware's option names, already typed (nova.conf is
 * parsed by @nova/config; this schema only checks what the API itself needs).
 */
export const keystoneAuthtokenSchema = z.object({
  /** Keystone's URL (`http://host:5000` or `.../v3`): the service's own login and every token check. */
  auth_url: z.url(),
  /** Only `password`: the service user's own credentials. */
  auth_type: z.literal("password").default("password"),
  /** The service user (`nova`). */
  username: z.string().min(1),
  /** The service user's password. */
  password: z.string(),
  /** The project the service token is scoped to (`service`). */
  project_name: z.string().min(1),
  /** The service user's domain, by name. */
  user_domain_name: z.string().default("Default"),
  /** The service project's domain, by name. */
  project_domain_name: z.string().default("Default"),
  /** The Keystone URL named in `WWW-Authenticate` on a 401 (auth_url when unset). */
  www_authenticate_uri: z.string().optional(),
  /** A service token (`X-Service-Token`) counts when it holds one of these roles. */
  service_token_roles: z.array(z.string()).default(["service"]),
  /** Refuse (401) a service token without one of `service_token_roles`, instead of only ignoring its roles. */
  service_token_roles_required: z.boolean().default(false),
  /** Seconds a validation is trusted without asking Keystone again (capped at the token's expiry); -1: never. */
  token_cache_time: z.number().int().min(-1).default(300),
  /** The most validations the cache holds; the least recently used go first. */
  token_cache_size: z.number().int().min(0).default(10000),
  /** Seconds one request to Keystone may take. */
  http_connect_timeout: z.number().int().positive().default(10),
  /** Further attempts when Keystone does not answer, before the API answers 503. */
  http_request_max_retries: z.number().int().min(0).default(3),
});
/** Parsed `[keystone_authtoken]` options. */
export type KeystoneAuthtokenConfig = z.infer<typeof keystoneAuthtokenSchema>;
/** `[keystone_authtoken]` as given (defaults optional). */
export type KeystoneAuthtokenInput = z.input<typeof keystoneAuthtokenSchema>;
