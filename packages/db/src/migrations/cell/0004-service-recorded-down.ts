import type { Kysely } from "kysely";
import type { NovaMigration } from "../schema-helpers.js";

/**
 * Whether the conductor's periodic check recorded a service down (until its next heartbeat). Kept in the
 * row so every conductor agrees and each up/down transition is notified once, by whoever flipped it.
 */
export function cellServiceRecordedDown(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("services")
        .addColumn("recorded_down", "boolean", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
