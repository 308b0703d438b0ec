import type { Db, NovaDatabase } from "../nova-database.js";

/** What adding one tag did: added, already there, or refused because the server has `max` tags. */
export type TagAddResult = "added" | "exists" | "full";

/**
 * Server tags (Nova's Tag and TagList objects over the `tags` table): one row per tag, hard-deleted, listed in
 * tag order (the primary key's, as Nova's rows come back).
 */
export class TagRepository {
  /** A repository over a cell database. */
  constructor(private readonly d: NovaDatabase) {}

  /** One server's tags. */
  list(resourceId: string): Promise<string[]> {
    return this.d.run((db) => this.tagsOf(db, resourceId));
  }

  /** The tags of many servers in one query; servers without tags are absent from the map. */
  listFor(resourceIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (resourceIds.length === 0) return Promise.resolve(out);
    return this.d.run(async (db) => {
      const rows = await db
        .selectFrom("tags")
        .select(["resource_id", "tag"])
        .where("resource_id", "in", [...new Set(resourceIds)])
        .orderBy("resource_id")
        .orderBy("tag")
        .execute();
      for (const row of rows) {
        const id = String(row.resource_id);
        const list = out.get(id) ?? [];
        list.push(String(row.tag));
        out.set(id, list);
      }
      return out;
    });
  }

  /** Whether the server has this tag. */
  exists(resourceId: string, tag: string): Promise<boolean> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("tags")
        .select("tag")
        .where("resource_id", "=", resourceId)
        .where("tag", "=", tag)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  /**
   * Adds a tag unless the server already has it or already has `max` tags (one transaction, so two
   * concurrent adds cannot pass the limit together on MariaDB's row locks).
   */
  add(resourceId: string, tag: string, max: number): Promise<TagAddResult> {
    return this.d.transaction(async (trx) => {
      const tags = await this.tagsOf(trx, resourceId, true);
      if (tags.includes(tag)) return "exists";
      if (tags.length >= max) return "full";
      await trx.insertInto("tags").values({ resource_id: resourceId, tag }).execute();
      return "added";
    }, "Tag");
  }

  /** Replaces the server's tags with these (duplicates once) and returns them as stored. */
  replace(resourceId: string, tags: readonly string[]): Promise<string[]> {
    return this.d.transaction(async (trx) => {
      await trx.deleteFrom("tags").where("resource_id", "=", resourceId).execute();
      const unique = [...new Set(tags)];
      if (unique.length > 0) {
        await trx
          .insertInto("tags")
          .values(unique.map((tag) => ({ resource_id: resourceId, tag })))
          .execute();
      }
      return this.tagsOf(trx, resourceId);
    }, "Tag");
  }

  /** Removes one tag; false when the server did not have it. */
  delete(resourceId: string, tag: string): Promise<boolean> {
    return this.d.run(async (db) => {
      const res = await db
        .deleteFrom("tags")
        .where("resource_id", "=", resourceId)
        .where("tag", "=", tag)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    }, "Tag");
  }

  /** Removes every tag of the server. */
  async deleteAll(resourceId: string): Promise<void> {
    await this.d.run((db) => db.deleteFrom("tags").where("resource_id", "=", resourceId).execute(), "Tag");
  }

  private async tagsOf(db: Db, resourceId: string, forUpdate = false): Promise<string[]> {
    let q = db.selectFrom("tags").select("tag").where("resource_id", "=", resourceId).orderBy("tag");
    if (forUpdate && this.d.dialect === "mysql") q = q.forUpdate();
    return (await q.execute()).map((r) => String(r.tag));
  }
}
