import { type RawBuilder, sql } from "kysely";
import { InvalidSortKeyError } from "./errors/query-error.js";

/** Sort direction of one sort key. */
export type SortDir = "asc" | "desc";

/** Nova's pagination: sort keys and directions, a page size, and the uuid of the last row seen. */
export interface PageOptions<K extends string = string> {
  /** Columns to sort by, most significant first (the primary key is added last as the tiebreak). */
  sortKeys?: K[];
  /** Direction of each sort key (ascending by default). */
  sortDirs?: SortDir[];
  /** At most this many rows. */
  limit?: number;
  /** The uuid (or Nova's marker key) of the last row of the previous page. */
  marker?: string;
  /**
   * Instead of `marker`: the sort columns' values (as records hold them) of a row kept elsewhere (another
   * cell, a build request), so this table's page starts right after where that row sorts.
   */
  markerValues?: Record<string, unknown>;
}

/** The resolved sort: every key with its direction, ending with the unique tiebreak key. */
export function resolveSort(
  table: string,
  allowed: readonly string[],
  page: PageOptions,
  defaults: { keys: string[]; dir: SortDir },
  tiebreaks: readonly string[] = ["id"],
): { col: string; dir: SortDir }[] {
  const keys = page.sortKeys && page.sortKeys.length > 0 ? [...page.sortKeys] : [...defaults.keys];
  const out = keys.map((k, i) => {
    if (!allowed.includes(k)) throw new InvalidSortKeyError(k);
    return { col: `${table}.${k}`, dir: page.sortDirs?.[i] ?? page.sortDirs?.[0] ?? defaults.dir };
  });
  // A unique last key makes the order total, so the marker condition never skips or repeats rows.
  for (const tiebreak of tiebreaks)
    if (!out.some((s) => s.col === `${table}.${tiebreak}`))
      out.push({ col: `${table}.${tiebreak}`, dir: out[out.length - 1]?.dir ?? defaults.dir });
  return out;
}

// Both MariaDB and SQLite sort NULL first ascending and last descending; the marker condition matches that.
function after(col: string, dir: SortDir, v: unknown): RawBuilder<unknown> {
  const c = sql.ref(col);
  if (dir === "asc") return v === null ? sql`${c} IS NOT NULL` : sql`${c} > ${v}`;
  return v === null ? sql`1 = 0` : sql`(${c} < ${v} OR ${c} IS NULL)`;
}

function equal(col: string, v: unknown): RawBuilder<unknown> {
  return v === null ? sql`${sql.ref(col)} IS NULL` : sql`${sql.ref(col)} = ${v}`;
}

/** The WHERE condition "comes after the marker row" for the given sort (keyset pagination). */
export function afterMarker(
  sort: { col: string; dir: SortDir }[],
  markerRow: Record<string, unknown>,
): RawBuilder<boolean> {
  const alternatives = sort.map((s, i) => {
    const parts = sort.slice(0, i).map((p) => equal(p.col, markerRow[p.col.split(".")[1] ?? ""] ?? null));
    parts.push(after(s.col, s.dir, markerRow[s.col.split(".")[1] ?? ""] ?? null));
    return sql`(${sql.join(parts, sql` AND `)})`;
  });
  return sql<boolean>`(${sql.join(alternatives, sql` OR `)})`;
}
