import type { Kysely } from "kysely";
import { type NovaMigration, withId, withTimestamps } from "../schema-helpers.js";

/** Nova's quota_classes table: per-class limits; the `default` class overrides the `[quota]` defaults. */
export function apiQuotaClasses(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withTimestamps(
        withId(db.schema.createTable("quota_classes"))
          .addColumn("class_name", "varchar(255)")
          .addColumn("resource", "varchar(255)")
          .addColumn("hard_limit", "integer"),
      ).execute();
      await db.schema
        .createIndex("quota_classes_class_name_idx")
        .on("quota_classes")
        .columns(["class_name"])
        .execute();
    },
  };
}
