import { z } from "zod";
import { NovaDbError } from "./errors/nova-db-error.js";

const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const bool = (def: boolean) =>
  z
    .union([z.boolean(), z.enum(["true", "false", "True", "False", "1", "0"])])
    .transform((v) => v === true || v === "true" || v === "True" || v === "1")
    .default(def);

/** The `[database]` / `[api_database]` options of nova.conf this package honours (oslo.db names and defaults). */
export const databaseOptionsSchema = z.object({
  connection: z.string().min(1),
  /** Connections kept open in the pool. */
  max_pool_size: int(5),
  /** Extra connections allowed beyond max_pool_size under load; the pool never opens more than the sum. */
  max_overflow: int(50),
  /** Seconds an idle connection may live before it is closed. */
  connection_recycle_time: int(3600),
  /** Retries of a transaction that hit a deadlock or lost its connection. */
  db_max_retries: int(20),
  /** Seconds between retries, doubled each time when db_inc_retry_interval, capped by db_max_retry_interval. */
  db_retry_interval: z.coerce.number().nonnegative().default(1),
  db_inc_retry_interval: bool(true),
  db_max_retry_interval: z.coerce.number().nonnegative().default(10),
});

/** Parsed database options. */
export type DatabaseOptions = z.infer<typeof databaseOptionsSchema>;

/** Parses `[database]` options (strings from an INI file, or typed values); raises DB_CONFIG_INVALID. */
export function parseDatabaseOptions(input: Record<string, unknown>): DatabaseOptions {
  const r = databaseOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new NovaDbError("DB_CONFIG_INVALID", `[database] ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return r.data;
}
