import type { KeyPair } from "@nova/objects";
import { columnMap } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError } from "../errors/query-error.js";
import type { NovaDatabase } from "../nova-database.js";

const keyPairColumns = columnMap({
  id: "int",
  name: "string",
  user_id: "string",
  fingerprint: "string",
  public_key: "string",
  type: "string",
  created_at: "date",
  updated_at: "date",
});

/** What importing a key pair needs. */
export type KeyPairCreate = Pick<KeyPair, "name" | "fingerprint" | "public_key"> & {
  user_id: string;
  type?: KeyPair["type"];
};

const toKeyPair = (r: Record<string, unknown>) =>
  ({ ...keyPairColumns.fromRow(r), deleted_at: null, deleted: false }) as KeyPair;

/** Key pairs of the API database (per user, unique by name). */
export class KeyPairRepository {
  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Stores a key pair; DuplicateEntryError if the user already has one of that name. */
  create(values: KeyPairCreate): Promise<KeyPair> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      await trx
        .insertInto("key_pairs")
        .values(keyPairColumns.toRow({ type: "ssh", ...values, created_at: now }))
        .execute();
      return toKeyPair(
        await trx
          .selectFrom("key_pairs")
          .selectAll()
          .where("user_id", "=", values.user_id)
          .where("name", "=", values.name)
          .executeTakeFirstOrThrow(),
      );
    }, "KeyPair");
  }

  /** A user's key pair by name. */
  get(userId: string, name: string): Promise<KeyPair> {
    return this.d.run(async (db) => {
      const row = await db
        .selectFrom("key_pairs")
        .selectAll()
        .where("user_id", "=", userId)
        .where("name", "=", name)
        .executeTakeFirst();
      if (!row) throw new NotFoundError("KeyPair", `${userId}/${name}`);
      return toKeyPair(row);
    });
  }

  /** A user's key pairs by name, paginated by name marker. */
  list(userId: string, page: { limit?: number; marker?: string } = {}): Promise<KeyPair[]> {
    return this.d.run(async (db) => {
      let q = db.selectFrom("key_pairs").selectAll().where("user_id", "=", userId);
      if (page.marker !== undefined) {
        const m = await db
          .selectFrom("key_pairs")
          .select("name")
          .where("user_id", "=", userId)
          .where("name", "=", page.marker)
          .executeTakeFirst();
        if (!m) throw new MarkerNotFoundError(page.marker);
        q = q.where("name", ">", page.marker);
      }
      q = q.orderBy("name");
      if (page.limit !== undefined) q = q.limit(page.limit);
      return (await q.execute()).map(toKeyPair);
    });
  }

  /** How many key pairs a user has (quota usage). */
  count(userId: string): Promise<number> {
    return this.d.run(async (db) => {
      const r = await db
        .selectFrom("key_pairs")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    });
  }

  /** Deletes a key pair; NotFoundError when absent. */
  delete(userId: string, name: string): Promise<void> {
    return this.d.run(async (db) => {
      const res = await db
        .deleteFrom("key_pairs")
        .where("user_id", "=", userId)
        .where("name", "=", name)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new NotFoundError("KeyPair", `${userId}/${name}`);
    });
  }
}
