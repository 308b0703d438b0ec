import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { nameParam, positiveIntegerParam } from "./parameter-types.js";

// Nova's os-server-groups schemas (nova/api/openstack/compute/schemas/server_groups.py) and the response
// shapes of tempest's compute schemas (v2_1, v2_13 and v2_64 server_groups.py).

/** The policies 2.1 accepts. */
export const SERVER_GROUP_POLICIES_V21 = ["anti-affinity", "affinity"] as const;
/** The policies 2.15 onwards accepts (adds the soft ones). */
export const SERVER_GROUP_POLICIES_V215 = [
  "anti-affinity",
  "affinity",
  "soft-anti-affinity",
  "soft-affinity",
] as const;

// One policy in a one-element list (Nova's `items: [{enum}]`, min/max 1, unique).
function policiesParam(allowed: readonly [string, ...string[]]) {
  return z.array(z.enum(allowed)).min(1).max(1);
}

/** `POST /os-server-groups` at 2.1: a name and a one-element `policies` list. */
export const createServerGroupRequestSchemaV21 = z.strictObject({
  server_group: z.strictObject({
    name: nameParam,
    policies: policiesParam(SERVER_GROUP_POLICIES_V21),
  }),
});

/** 2.15 adds soft-affinity and soft-anti-affinity. */
export const createServerGroupRequestSchemaV215 = z.strictObject({
  server_group: z.strictObject({
    name: nameParam,
    policies: policiesParam(SERVER_GROUP_POLICIES_V215),
  }),
});

/** 2.64: one `policy` string and optional `rules` (`max_server_per_host`). */
export const createServerGroupRequestSchemaV264 = z.strictObject({
  server_group: z.strictObject({
    name: nameParam,
    policy: z.enum(SERVER_GROUP_POLICIES_V215),
    rules: z.strictObject({ max_server_per_host: positiveIntegerParam.optional() }).optional(),
  }),
});

/** The create schema Nova applies at `version`. */
export function createServerGroupRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.64")) return createServerGroupRequestSchemaV264;
  if (version.atLeast("2.15")) return createServerGroupRequestSchemaV215;
  return createServerGroupRequestSchemaV21;
}

/** A server group as shown: `policies` and `metadata` before 2.64, `policy` and `rules` from it. */
export const serverGroupSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  policies: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  policy: z.string().optional(),
  rules: z.strictObject({ max_server_per_host: z.number().int().optional() }).optional(),
  members: z.array(z.string()),
  project_id: z.string().optional(),
  user_id: z.string().optional(),
});
/** One server group. */
export type ServerGroup = z.infer<typeof serverGroupSchema>;

/** `POST /os-server-groups` and `GET /os-server-groups/{id}` response. */
export const showServerGroupResponseSchema = z.strictObject({ server_group: serverGroupSchema });

/** `GET /os-server-groups` response. */
export const listServerGroupsResponseSchema = z.strictObject({ server_groups: z.array(serverGroupSchema) });

/** Query of `GET /os-server-groups`. */
export interface ServerGroupListQuery {
  /** Every project's groups (admin). */
  all_projects?: string;
  /** Page size. */
  limit?: number;
  /** Groups to skip. */
  offset?: number;
}
