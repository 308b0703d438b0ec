import type { Kysely } from "kysely";
import { type NovaMigration, withId, withTimestamps } from "../schema-helpers.js";

const S = "varchar(255)";

/**
 * Host aggregates (Nova's API database since Newton): named groups of compute hosts with key/value metadata.
 * An `availability_zone` metadata key makes the aggregate an availability zone. Rows are hard-deleted.
 */
export function apiAggregates(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withTimestamps(
        withId(db.schema.createTable("aggregates"))
          .addColumn("uuid", "varchar(36)")
          .addColumn("name", S)
          .addUniqueConstraint("uniq_aggregate0name", ["name"]),
      ).execute();
      await db.schema.createIndex("aggregate_uuid_idx").on("aggregates").columns(["uuid"]).execute();
      await withTimestamps(
        withId(db.schema.createTable("aggregate_hosts"))
          .addColumn("host", S)
          .addColumn("aggregate_id", "integer", (c) => c.notNull().references("aggregates.id"))
          .addUniqueConstraint("uniq_aggregate_hosts0host0aggregate_id", ["host", "aggregate_id"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("aggregate_metadata"))
          .addColumn("aggregate_id", "integer", (c) => c.notNull().references("aggregates.id"))
          .addColumn("key", S, (c) => c.notNull())
          .addColumn("value", S, (c) => c.notNull())
          .addUniqueConstraint("uniq_aggregate_metadata0aggregate_id0key", ["aggregate_id", "key"]),
      ).execute();
      await db.schema
        .createIndex("aggregate_metadata_value_idx")
        .on("aggregate_metadata")
        .columns(["value"])
        .execute();
    },
  };
}
