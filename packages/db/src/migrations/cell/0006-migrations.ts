import type { Kysely } from "kysely";
import { type NovaMigration, withId, withSoftDelete } from "../schema-helpers.js";

const S = "varchar(255)";
const UUID = "varchar(36)";

/**
 * Nova's `migrations` table: one row per resize, cold or live migration and evacuation, naming the source and
 * destination computes and nodes, the flavors (old/new instance type ids), the status as the flow moves on,
 * and the memory/disk progress live migrations report. While a move is in progress its row holds a resource
 * claim as an instance does (see the conductor's migration claims).
 */
export function cellMigrations(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withSoftDelete(
        withId(db.schema.createTable("migrations"))
          .addColumn("source_compute", S)
          .addColumn("dest_compute", S)
          .addColumn("dest_host", S)
          .addColumn("status", S)
          .addColumn("instance_uuid", UUID)
          .addColumn("old_instance_type_id", "integer")
          .addColumn("new_instance_type_id", "integer")
          .addColumn("source_node", S)
          .addColumn("dest_node", S)
          .addColumn("migration_type", "varchar(16)")
          .addColumn("hidden", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("memory_total", "bigint")
          .addColumn("memory_processed", "bigint")
          .addColumn("memory_remaining", "bigint")
          .addColumn("disk_total", "bigint")
          .addColumn("disk_processed", "bigint")
          .addColumn("disk_remaining", "bigint")
          .addColumn("uuid", UUID)
          .addColumn("cross_cell_move", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("user_id", S)
          .addColumn("project_id", S)
          .addUniqueConstraint("uniq_migrations0uuid", ["uuid"]),
      ).execute();
      // Nova's indexes: by instance (server migrations, the API's in-progress lookups) and by host and status
      // (the compute's in-progress migrations, the resize_confirm_window sweep).
      await db.schema
        .createIndex("migrations_instance_uuid_and_status_idx")
        .on("migrations")
        .columns(["deleted", "instance_uuid", "status"])
        .execute();
      // Nova's one index over both hosts and nodes is too long a key for utf8mb4 without prefixes: one per side.
      await db.schema
        .createIndex("migrations_by_source_and_status_idx")
        .on("migrations")
        .columns(["deleted", "source_compute", "status"])
        .execute();
      await db.schema
        .createIndex("migrations_by_dest_and_status_idx")
        .on("migrations")
        .columns(["deleted", "dest_compute", "status"])
        .execute();
      await db.schema
        .createIndex("migrations_updated_at_idx")
        .on("migrations")
        .column("updated_at")
        .execute();
    },
  };
}
