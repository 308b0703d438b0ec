// Python's json.dumps defaults: ", " and ": " separators, ensure_ascii (every char outside space..~ escaped as
// lowercase \uXXXX), insertion key order. Copying them makes our bodies byte-identical to oslo's.
const nonAscii = /[\u007f-\uffff]/;
const nonAsciiAll = /[\u007f-\uffff]/g;

function escapeChar(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

// Printable ASCII but `"` and `\`: written as is by both json.dumps and JSON.stringify (most keys and values).
const plain = /^[ !#-[\]-~]*$/;

function pyString(s: string): string {
  if (plain.test(s)) return `"${s}"`;
  const json = JSON.stringify(s);
  return nonAscii.test(json) ? json.replace(nonAsciiAll, escapeChar) : json;
}

function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return "null";
  // JS cannot tell 1 from 1.0; integers go out as Python ints. Python's float repr switches to exponent form
  // below 1e-4 (JS below 1e-6) and writes at least two exponent digits.
  if (!Number.isInteger(n) && Math.abs(n) < 1e-4) {
    return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(n);
}

function write(value: unknown, inArray: boolean): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return pyString(value);
    case "number":
      return pyNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return inArray ? "null" : undefined;
  }
  const obj = value as { toJSON?: () => unknown };
  if (typeof obj.toJSON === "function") return write(obj.toJSON(), inArray);
  // String concatenation rather than map/join: this runs twice per RPC message on each side.
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ", ";
      out += write(value[i], true);
    }
    return `${out}]`;
  }
  let out = "{";
  let first = true;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const v = write(record[key], false);
    if (v === undefined) continue;
    out += first ? pyString(key) : `, ${pyString(key)}`;
    out += `: ${v}`;
    first = false;
  }
  return `${out}}`;
}

/** JSON text exactly as Python's `json.dumps(value)` writes it. */
export function pythonJsonDumps(value: unknown): string {
  return write(value, false) ?? "null";
}
