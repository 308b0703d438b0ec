import type { Kysely } from "kysely";
import { bigText, type NovaMigration, type SqlDialect, withId, withTimestamps } from "../schema-helpers.js";

const S = "varchar(255)";
const UUID = "varchar(36)";

/** The API database: what exists above the cells. Rows here are hard-deleted, as in Nova. */
export function apiInitial(dialect: SqlDialect): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withTimestamps(
        withId(db.schema.createTable("cell_mappings"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("name", S)
          .addColumn("transport_url", "text", (c) => c.notNull())
          .addColumn("database_connection", "text", (c) => c.notNull())
          .addUniqueConstraint("uniq_cell_mappings0uuid", ["uuid"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("host_mappings"))
          .addColumn("cell_id", "integer", (c) => c.notNull().references("cell_mappings.id"))
          .addColumn("host", S, (c) => c.notNull())
          .addUniqueConstraint("uniq_host_mappings0host", ["host"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("instance_mappings"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("cell_id", "integer", (c) => c.references("cell_mappings.id"))
          .addColumn("project_id", S, (c) => c.notNull())
          .addColumn("user_id", S, (c) => c.notNull())
          .addColumn("queued_for_delete", "boolean", (c) => c.notNull().defaultTo(0))
          .addUniqueConstraint("uniq_instance_mappings0instance_uuid", ["instance_uuid"]),
      ).execute();
      await db.schema
        .createIndex("instance_mappings_project_id_idx")
        .on("instance_mappings")
        .columns(["project_id"])
        .execute();

      await withTimestamps(
        withId(db.schema.createTable("flavors"))
          .addColumn("name", S, (c) => c.notNull())
          .addColumn("flavorid", S, (c) => c.notNull())
          .addColumn("memory_mb", "integer", (c) => c.notNull())
          .addColumn("vcpus", "integer", (c) => c.notNull())
          .addColumn("root_gb", "integer", (c) => c.notNull())
          .addColumn("ephemeral_gb", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("swap", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("rxtx_factor", "double precision", (c) => c.defaultTo(1))
          .addColumn("vcpu_weight", "integer")
          .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("is_public", "boolean", (c) => c.notNull().defaultTo(1))
          .addColumn("description", "text")
          .addUniqueConstraint("uniq_flavors0flavorid", ["flavorid"])
          .addUniqueConstraint("uniq_flavors0name", ["name"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("flavor_extra_specs"))
          .addColumn("flavor_id", "integer", (c) => c.notNull().references("flavors.id").onDelete("cascade"))
          .addColumn("key", S, (c) => c.notNull())
          .addColumn("value", S)
          .addUniqueConstraint("uniq_flavor_extra_specs0flavor_id0key", ["flavor_id", "key"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("flavor_projects"))
          .addColumn("flavor_id", "integer", (c) => c.notNull().references("flavors.id").onDelete("cascade"))
          .addColumn("project_id", S, (c) => c.notNull())
          .addUniqueConstraint("uniq_flavor_projects0flavor_id0project_id", ["flavor_id", "project_id"]),
      ).execute();

      await withTimestamps(
        withId(db.schema.createTable("key_pairs"))
          .addColumn("name", S, (c) => c.notNull())
          .addColumn("user_id", S, (c) => c.notNull())
          .addColumn("fingerprint", S)
          .addColumn("public_key", "text")
          .addColumn("type", "varchar(10)", (c) => c.notNull().defaultTo("ssh"))
          .addUniqueConstraint("uniq_key_pairs0user_id0name", ["user_id", "name"]),
      ).execute();

      await withTimestamps(
        withId(db.schema.createTable("instance_groups"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("name", S)
          .addColumn("user_id", S)
          .addColumn("project_id", S)
          .addUniqueConstraint("uniq_instance_groups0uuid", ["uuid"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("instance_group_policy"))
          .addColumn("group_id", "integer", (c) =>
            c.notNull().references("instance_groups.id").onDelete("cascade"),
          )
          .addColumn("policy", S)
          .addColumn("rules", "text"),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("instance_group_member"))
          .addColumn("group_id", "integer", (c) =>
            c.notNull().references("instance_groups.id").onDelete("cascade"),
          )
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addUniqueConstraint("uniq_instance_group_member0group_id0instance_uuid", [
            "group_id",
            "instance_uuid",
          ]),
      ).execute();

      await withTimestamps(
        withId(db.schema.createTable("quotas"))
          .addColumn("project_id", S, (c) => c.notNull())
          .addColumn("resource", S, (c) => c.notNull())
          .addColumn("hard_limit", "integer", (c) => c.notNull())
          .addUniqueConstraint("uniq_quotas0project_id0resource", ["project_id", "resource"]),
      ).execute();
      await withTimestamps(
        withId(db.schema.createTable("project_user_quotas"))
          .addColumn("project_id", S, (c) => c.notNull())
          .addColumn("user_id", S, (c) => c.notNull())
          .addColumn("resource", S, (c) => c.notNull())
          .addColumn("hard_limit", "integer", (c) => c.notNull())
          .addUniqueConstraint("uniq_project_user_quotas0user_id0project_id0resource", [
            "user_id",
            "project_id",
            "resource",
          ]),
      ).execute();

      await withTimestamps(
        withId(db.schema.createTable("build_requests"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("project_id", S, (c) => c.notNull())
          .addColumn("instance", bigText(dialect))
          .addColumn("block_device_mappings", bigText(dialect))
          .addColumn("tags", "text")
          .addUniqueConstraint("uniq_build_requests0instance_uuid", ["instance_uuid"]),
      ).execute();
      await db.schema
        .createIndex("build_requests_project_id_idx")
        .on("build_requests")
        .columns(["project_id"])
        .execute();
      await withTimestamps(
        withId(db.schema.createTable("request_specs"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("spec", bigText(dialect), (c) => c.notNull())
          .addUniqueConstraint("uniq_request_specs0instance_uuid", ["instance_uuid"]),
      ).execute();
    },
  };
}
