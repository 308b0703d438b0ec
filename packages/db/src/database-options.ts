import { booleanInput, numberInput } from "@nova/core";
import { z } from "zod";
import { NovaDbError } from "./errors/nova-db-error.js";

// Strings from an INI file are read by oslo.config's rules (@nova/core), typed values pass as they are.
const int = (def: number) => z.preprocess(numberInput, z.number().int().nonnegative()).default(def);
const seconds = (def: number) => z.preprocess(numberInput, z.number().nonnegative()).default(def);
const bool = (def: boolean) => z.preprocess(booleanInput, z.boolean()).default(def);

/**
 * The `[database]` / `[api_database]` options of nova.conf this package honours, declared here only, with
 * oslo.db's names and defaults. oslo.db's connection-attempt and pool-wait options (`max_retries`,
 * `retry_interval`, `pool_timeout`) are not declared: nothing here would read them, and oslo.config ignores
 * options no code registered.
 */
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
  db_retry_interval: seconds(1),
  db_inc_retry_interval: bool(true),
  db_max_retry_interval: seconds(10),
});

/** Parsed database options. */
export type DatabaseOptions = z.infer<typeof databaseOptionsSchema>;

/**
 * Parses `[database]` (or, with `group`, `[api_database]`) options, strings from an INI file or typed values;
 * raises DB_CONFIG_INVALID naming the group and option.
 */
export function parseDatabaseOptions(input: Record<string, unknown>, group = "database"): DatabaseOptions {
  const r = databaseOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new NovaDbError("DB_CONFIG_INVALID", `[${group}] ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return r.data;
}
