/** One column of a list: its header and how to get the cell from an item. */
export interface Column<T> {
  /** The header ("ID", "Name", ...). */
  header: string;
  /** The cell's value; objects are shown as JSON, arrays of plain values joined by ", ". */
  value: (item: T) => unknown;
}

/** A value as a table cell shows it: "" for null and undefined, JSON for objects. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    return value.map(cellText).join(", ");
  }
  return JSON.stringify(value);
}

// Code points, not UTF-16 units, so accented names do not shift the borders.
const width = (text: string): number => [...text].length;
const padEnd = (text: string, to: number): string => text + " ".repeat(Math.max(0, to - width(text)));

/**
 * A table drawn as openstackclient's (PrettyTable) are: `+---+` rules, `| cell |` rows, cells with newlines
 * spread over several lines. Ends with a newline.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) =>
    Math.max(width(header), ...rows.flatMap((row) => (row[i] ?? "").split("\n").map(width))),
  );
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const lines = (cells: readonly string[]): string[] => {
    const split = widths.map((_, i) => (cells[i] ?? "").split("\n"));
    const height = Math.max(...split.map((s) => s.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) {
      out.push(`| ${widths.map((w, i) => padEnd(split[i]?.[k] ?? "", w)).join(" | ")} |`);
    }
    return out;
  };
  return `${[rule, ...lines(headers), rule, ...rows.flatMap(lines), ...(rows.length ? [rule] : [])].join("\n")}\n`;
}

/** A list of items as a table of the given columns. */
export function renderList<T>(items: readonly T[], columns: readonly Column<T>[]): string {
  return renderTable(
    columns.map((c) => c.header),
    items.map((item) => columns.map((c) => cellText(c.value(item)))),
  );
}

/** One object as a two-column Field | Value table, its fields sorted by name (as `openstack ... show`). */
export function renderFields(object: Record<string, unknown>): string {
  const fields = Object.keys(object).sort();
  return renderTable(
    ["Field", "Value"],
    fields.map((field) => [field, cellText(object[field])]),
  );
}
