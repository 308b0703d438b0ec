/** How a column's value is stored: both backends get the same plain values (0/1, UTC strings, JSON text). */
export type ColumnKind = "string" | "int" | "float" | "bool" | "date" | "json";

/** Converts between object fields and table rows for one table. */
export interface ColumnMap<C extends Record<string, ColumnKind>> {
  /** The table's columns and how each is stored. */
  readonly columns: C;
  /** Row values for the object's fields that are columns of this table (unset fields are left out). */
  toRow(obj: Record<string, unknown>): Record<string, unknown>;
  /** Object fields from a row (only this table's columns). */
  fromRow(row: Record<string, unknown>): Record<string, unknown>;
}

/** A Date as stored: "YYYY-MM-DD HH:MM:SS" in UTC (whole seconds, as Nova's DATETIME columns). */
export function toSqlDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/** A stored datetime back to a Date. */
export function fromSqlDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(`${s.replace(" ", "T").slice(0, 19)}Z`);
}

function write(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "bool":
      return v ? 1 : 0;
    case "date":
      return toSqlDate(v as Date);
    case "json":
      return JSON.stringify(v);
    default:
      return v;
  }
}

function read(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "bool":
      return Number(v) !== 0;
    case "date":
      return fromSqlDate(v);
    case "json":
      return typeof v === "string" ? JSON.parse(v) : v;
    case "int":
    case "float":
      return Number(v);
    default:
      return String(v);
  }
}

/** Declares a table's columns and their storage kinds. */
export function columnMap<const C extends Record<string, ColumnKind>>(columns: C): ColumnMap<C> {
  // Listed once: every row read and written walks them (a thousand rows per server list).
  const names = Object.keys(columns);
  const kinds = names.map((k) => columns[k] as ColumnKind);
  return {
    columns,
    toRow(obj) {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const k = names[i]!;
        if (obj[k] !== undefined) row[k] = write(kinds[i]!, obj[k]);
      }
      return row;
    },
    fromRow(row) {
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const k = names[i]!;
        if (k in row) obj[k] = read(kinds[i]!, row[k]);
      }
      return obj;
    },
  };
}
