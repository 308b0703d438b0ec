import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** Nova's migration types (nova.objects.fields.MigrationType). */
export const MIGRATION_TYPES = ["migration", "resize", "live-migration", "evacuation"] as const;

/** One kind of move: a cold migration, a resize, a live migration or an evacuation. */
export type MigrationType = (typeof MIGRATION_TYPES)[number];

/** Migration 1.7: one move of an instance between computes (or on one, for a same-host resize). */
export const MigrationCodec = defineObject("Migration", "1.7", {
  id: f.int(),
  source_compute: f.nullable(f.string()),
  dest_compute: f.nullable(f.string()),
  source_node: f.nullable(f.string()),
  dest_node: f.nullable(f.string()),
  dest_host: f.nullable(f.string()),
  old_instance_type_id: f.nullable(f.int()),
  new_instance_type_id: f.nullable(f.int()),
  instance_uuid: f.nullable(f.string()),
  status: f.nullable(f.string()),
  migration_type: f.nullable(f.enumOf(MIGRATION_TYPES)),
  hidden: f.bool(),
  memory_total: f.nullable(f.int()),
  memory_processed: f.nullable(f.int()),
  memory_remaining: f.nullable(f.int()),
  disk_total: f.nullable(f.int()),
  disk_processed: f.nullable(f.int()),
  disk_remaining: f.nullable(f.int()),
  uuid: f.uuid(),
  cross_cell_move: f.bool(),
  user_id: f.nullable(f.string()),
  project_id: f.nullable(f.string()),
  ...persistentFields,
});

/** A migration. */
export type Migration = ObjectOf<typeof MigrationCodec.fields>;

/** MigrationList 1.5. */
export const MigrationListCodec = defineObjectList("MigrationList", "1.5", MigrationCodec);
