/**
 * A table drawn as Python's prettytable draws it by default (what Nova's `list_cells` and `list_hosts` print):
 * `+---+` rules, one space of padding, every cell centred, booleans as Python prints them.
 */
export function prettyTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const text = rows.map((r) => r.map(pythonStr));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: readonly string[]) =>
    `|${widths.map((w, i) => ` ${centre(cells[i] ?? "", w)} `).join("|")}|`;
  return [rule, line(header), rule, ...text.map(line), rule];
}

// prettytable's centring: an odd excess goes to the right of odd-length text and to the left of even-length.
function centre(s: string, width: number): string {
  const excess = width - s.length;
  const half = Math.floor(excess / 2);
  if (excess % 2 === 0) return " ".repeat(half) + s + " ".repeat(half);
  return s.length % 2 === 1
    ? " ".repeat(half) + s + " ".repeat(half + 1)
    : " ".repeat(half + 1) + s + " ".repeat(half);
}

function pythonStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}
