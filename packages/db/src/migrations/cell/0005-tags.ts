import type { Kysely } from "kysely";
import type { NovaMigration } from "../schema-helpers.js";

/**
 * Nova's `tags` table: a server's tags (2.26), one row per tag, hard-deleted. The resource id is the
 * instance uuid; the tag itself is at most 60 characters (nova.objects.tag.MAX_TAG_LENGTH).
 */
export function cellTags(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("tags")
        .addColumn("resource_id", "varchar(36)", (c) => c.notNull())
        .addColumn("tag", "varchar(80)", (c) => c.notNull())
        .addPrimaryKeyConstraint("tags_pkey", ["resource_id", "tag"])
        .execute();
      await db.schema.createIndex("tags_tag_idx").on("tags").column("tag").execute();
    },
  };
}
