import { type Column, renderFields, renderList } from "./table.js";

/** Where the command writes text: process.stdout and process.stderr, or a buffer in tests. */
export interface TextSink {
  /** Writes text as is. */
  write(text: string): unknown;
  /** True on a terminal: `--wait` then keeps one live status line instead of printing a line per change. */
  isTTY?: boolean | undefined;
}

/** How results are printed: tables for people, JSON for scripts (`--json`, `-f json`). */
export type OutputFormat = "table" | "json";

/**
 * A command's results on stdout. In JSON mode, lists are arrays of the API's own objects and `show` prints the
 * object, so `jq` sees every field; tables show the usual columns.
 */
export class Output {
  /** Output in `format` to `sink`. */
  constructor(
    readonly format: OutputFormat,
    private readonly sink: TextSink,
  ) {}

  /** Items as a table of `columns`, or as a JSON array of the items. */
  list<T>(items: readonly T[], columns: readonly Column<T>[]): void {
    this.sink.write(this.format === "json" ? json(items) : renderList(items, columns));
  }

  /** One object as a Field | Value table, or as JSON. */
  show(object: object): void {
    this.sink.write(this.format === "json" ? json(object) : renderFields(object as Record<string, unknown>));
  }

  /** A line for people (tables only: JSON output stays parseable), such as "Request to delete ... accepted.". */
  note(line: string): void {
    if (this.format === "table") this.sink.write(`${line}\n`);
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
