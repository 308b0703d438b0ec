import { z } from "zod";

/** Quota resources Nova counts per project (and per user). */
export const QUOTA_RESOURCES = [
  "instances",
  "cores",
  "ram",
  "key_pairs",
  "server_groups",
  "server_group_members",
  "metadata_items",
  "injected_files",
  "injected_file_content_bytes",
  "injected_file_path_bytes",
] as const;

/** One quota resource name. */
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

/**
 * A quota limit with what is in use. Nova does not send quota usage as a versioned object (it counts
 * usage from the databases), so this type has a zod schema but no wire form.
 */
export const quotaUsageSchema = z.object({
  project_id: z.string(),
  user_id: z.string().nullable(),
  resource: z.enum(QUOTA_RESOURCES),
  /** -1 means unlimited, as in Nova. */
  limit: z.number().int(),
  in_use: z.number().int().nonnegative(),
});

/** Quota usage of one resource. */
export type QuotaUsage = z.infer<typeof quotaUsageSchema>;

/** Nova's default quota limits ([quota] section defaults). */
export const DEFAULT_QUOTAS: Readonly<Record<QuotaResource, number>> = {
  instances: 10,
  cores: 20,
  ram: 51200,
  key_pairs: 100,
  server_groups: 10,
  server_group_members: 10,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
};
