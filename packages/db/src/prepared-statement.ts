import type { Compilable, CompiledQuery, QueryResult } from "kysely";
import type { Db } from "./nova-database.js";

// Stands in for value i while the statement is compiled; never sent to the database.
const SLOT = "\u0000nova-slot:";

/**
 * A statement the query builder writes and compiles once, then runs with new values: Kysely's parsing and
 * compiling of a builder (about a fifth of nova-conductor's CPU on a move) is paid on the first run only.
 * `build` writes it with `slot(i)` wherever value i goes (as often as it goes there); only values go there,
 * never identifiers or SQL.
 * Hold one per repository (one database, so one dialect).
 */
export class PreparedStatement<Row = Record<string, unknown>> {
  private compiled: CompiledQuery | undefined;
  /** For each compiled parameter, which value it takes; undefined for a constant of the statement. */
  private slots: Array<number | undefined> = [];

  constructor(private readonly build: (db: Db, slot: (i: number) => string) => Compilable<unknown>) {}

  /** Runs the statement on `db` (the pool or a transaction) with these values. */
  async execute(db: Db, values: readonly unknown[]): Promise<QueryResult<Row>> {
    return (await db.executeQuery(this.bind(db, values))) as QueryResult<Row>;
  }

  /** The rows a SELECT returns. */
  async rows(db: Db, values: readonly unknown[]): Promise<Row[]> {
    return [...(await this.execute(db, values)).rows];
  }

  /** The rows an UPDATE or DELETE changed. */
  async affected(db: Db, values: readonly unknown[]): Promise<number> {
    return Number((await this.execute(db, values)).numAffectedRows ?? 0);
  }

  private bind(db: Db, values: readonly unknown[]): CompiledQuery {
    if (!this.compiled) {
      const compiled = this.build(db, (i) => `${SLOT}${i}`).compile();
      this.slots = compiled.parameters.map((p) =>
        typeof p === "string" && p.startsWith(SLOT) ? Number(p.slice(SLOT.length)) : undefined,
      );
      this.compiled = compiled;
    }
    const { slots } = this;
    const parameters = this.compiled.parameters.map((p, k) => {
      const i = slots[k];
      return i === undefined ? p : values[i];
    });
    return { ...this.compiled, parameters };
  }
}

/**
 * Statements over a list of n values (`IN (...)`): one PreparedStatement per n, for n up to `keep` (longer
 * lists, rare, are compiled on each use). `build` gets the slot function and n.
 */
export class PreparedByCount<Row = Record<string, unknown>> {
  private readonly byCount = new Map<number, PreparedStatement<Row>>();

  constructor(
    private readonly build: (db: Db, slot: (i: number) => string, count: number) => Compilable<unknown>,
    private readonly keep = 64,
  ) {}

  /** The statement for lists of `count` values. */
  for(count: number): PreparedStatement<Row> {
    let stmt = this.byCount.get(count);
    if (!stmt) {
      stmt = new PreparedStatement<Row>((db, slot) => this.build(db, slot, count));
      if (count <= this.keep) this.byCount.set(count, stmt);
    }
    return stmt;
  }
}
