import type { Kysely } from "kysely";
import { bigText, type NovaMigration, type SqlDialect, withId, withSoftDelete } from "../schema-helpers.js";

const S = "varchar(255)";
const UUID = "varchar(36)";

/** Block device mappings and the network info cache: what the compute asks the conductor for while building. */
export function cellBlockDevicesAndInfoCache(dialect: SqlDialect): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await withSoftDelete(
        withId(db.schema.createTable("block_device_mapping"))
          .addColumn("uuid", UUID, (c) => c.notNull())
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("source_type", S)
          .addColumn("destination_type", S)
          .addColumn("guest_format", S)
          .addColumn("device_type", S)
          .addColumn("disk_bus", S)
          .addColumn("boot_index", "integer")
          .addColumn("device_name", S)
          .addColumn("delete_on_termination", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("snapshot_id", UUID)
          .addColumn("volume_id", UUID)
          .addColumn("volume_size", "integer")
          .addColumn("image_id", UUID)
          .addColumn("no_device", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("connection_info", bigText(dialect))
          .addColumn("tag", S)
          .addColumn("attachment_id", UUID)
          .addColumn("volume_type", S)
          .addColumn("encrypted", "boolean", (c) => c.notNull().defaultTo(0))
          .addColumn("encryption_secret_uuid", UUID)
          .addColumn("encryption_format", S)
          .addColumn("encryption_options", S)
          .addUniqueConstraint("uniq_block_device_mapping0uuid", ["uuid"]),
      ).execute();
      await db.schema
        .createIndex("block_device_mapping_instance_uuid_idx")
        .on("block_device_mapping")
        .columns(["instance_uuid", "deleted"])
        .execute();
      await withSoftDelete(
        withId(db.schema.createTable("instance_info_caches"))
          .addColumn("instance_uuid", UUID, (c) => c.notNull())
          .addColumn("network_info", bigText(dialect))
          .addUniqueConstraint("uniq_instance_info_caches0instance_uuid", ["instance_uuid"]),
      ).execute();
    },
  };
}
