import type { Kysely } from "kysely";
import type { NovaMigration } from "../schema-helpers.js";

/** Cells can be disabled so the scheduler stops placing new instances in them (CellMapping 1.1). */
export function apiCellMappingDisabled(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("cell_mappings")
        .addColumn("disabled", "boolean", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
