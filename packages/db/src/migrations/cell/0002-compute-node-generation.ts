import type { Kysely } from "kysely";
import type { NovaMigration } from "../schema-helpers.js";

/**
 * A generation counter on compute nodes, bumped by every claim and release: a claim names the generation
 * it decided on and loses if another scheduler got there first (as placement's resource providers do).
 */
export function cellComputeNodeGeneration(): NovaMigration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("compute_nodes")
        .addColumn("generation", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
