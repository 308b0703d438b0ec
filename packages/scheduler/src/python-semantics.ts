import { NovaError } from "@nova/core";
// Nova's filters lean on Python's conversions (float(), int(), str(), comparisons); these reproduce the
// parts the filters and weighers reach, so a port answers as Nova does on odd inputs too.

/** A JSON float whose Python type must survive parsing (str(1.0) is "1.0", not "1"). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Raised where Python raises ValueError/TypeError inside a filter (Nova would fail the request). */
export class PythonSemanticsError extends NovaError {
  /** Builds the error with Python's message for the same failure. */
  constructor(message: string) {
    super("SCHEDULER_PYTHON_SEMANTICS", message);
  }
}

const FLOAT_RE =
  /^[+-]?((\d(_?\d)*)?\.?\d(_?\d)*([eE][+-]?\d(_?\d)*)?|(\d(_?\d)*)\.([eE][+-]?\d(_?\d)*)?|inf(inity)?|nan)$/i;

/** Python's float(str): surrounding whitespace allowed, underscores between digits, inf/nan. */
export function pyFloat(text: string): number {
  const s = text.trim();
  if (!FLOAT_RE.test(s)) throw new PythonSemanticsError(`could not convert string to float: '${text}'`);
  const lower = s.toLowerCase().replace(/_/g, "");
  const sign = lower.startsWith("-") ? -1 : 1;
  const body = lower.replace(/^[+-]/, "");
  if (body.startsWith("inf")) return sign * Number.POSITIVE_INFINITY;
  if (body === "nan") return Number.NaN;
  return Number(lower);
}

/** Python's int(str): base 10, surrounding whitespace, an optional sign, underscores between digits. */
export function pyInt(text: string): number {
  const s = text.trim();
  if (!/^[+-]?\d(_?\d)*$/.test(s))
    throw new PythonSemanticsError(`invalid literal for int() with base 10: '${text}'`);
  return Number(s.replace(/_/g, ""));
}

/** repr() of a Python float (shortest round-trip digits, exponent outside [1e-4, 1e16)). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    const [mant, exp] = x.toExponential().split("e") as [string, string];
    const e = Number(exp);
    const digits = e < 0 ? `-${String(-e).padStart(2, "0")}` : `+${String(e).padStart(2, "0")}`;
    return `${mant}e${digits}`;
  }
  const s = String(x);
  return s.includes(".") ? s : `${s}.0`;
}

function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** repr() of a JSON-like Python value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === "string") return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (v instanceof Map) {
    return `{${[...v.entries()].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
  }
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(", ")}}`;
  }
  return String(v);
}

/** str() of a JSON-like Python value (strings as they are, everything else as repr). */
export function pyStr(v: unknown): string {
  return typeof v === "string" ? v : pyRepr(v);
}

/** Unwraps PyFloat to a plain number; other values unchanged. */
export function pyValue(v: unknown): unknown {
  return v instanceof PyFloat ? v.value : v;
}

function typeRank(v: unknown): "num" | "str" | "list" | "other" {
  if (typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat) return "num";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  return "other";
}

/** Python ==, for JSON-like values (1 == 1.0 == True; a str never equals a number). */
export function pyEquals(a: unknown, b: unknown): boolean {
  const ta = typeRank(a);
  if (ta !== typeRank(b)) return false;
  if (ta === "num") return Number(pyValue(a)) === Number(pyValue(b));
  if (ta === "str") return a === b;
  if (ta === "list") {
    const la = a as unknown[];
    const lb = b as unknown[];
    return la.length === lb.length && la.every((x, i) => pyEquals(x, lb[i]));
  }
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Python string ordering (by code point), as a sign. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Python ordering (<, <=, >, >=) for JSON-like values; mixed types raise TypeError as in Python 3. */
export function pyCompare(a: unknown, b: unknown): number {
  const ta = typeRank(a);
  const tb = typeRank(b);
  if (ta !== tb || ta === "other") {
    throw new PythonSemanticsError(`'<' not supported between ${ta} and ${tb}`);
  }
  if (ta === "num") {
    const x = Number(pyValue(a));
    const y = Number(pyValue(b));
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  if (ta === "str") return compareCodePoints(a as string, b as string);
  const la = a as unknown[];
  const lb = b as unknown[];
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (!pyEquals(la[i], lb[i])) return pyCompare(la[i], lb[i]);
  }
  return la.length - lb.length;
}

/** Python truthiness for JSON-like values. */
export function pyTruthy(v: unknown): boolean {
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "string") return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}

/** json.loads that keeps floats apart from ints (1.0 parses as PyFloat(1)). */
export function parsePythonJson(text: string): unknown {
  let i = 0;
  const fail = (): never => {
    throw new PythonSemanticsError(`invalid JSON at ${i}: ${text.slice(0, 60)}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ":") fail();
        out[k] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return out;
        } else fail();
      }
    }
    if (c === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return out;
        } else fail();
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", new PyFloat(Number.NaN)],
      ["Infinity", new PyFloat(Number.POSITIVE_INFINITY)],
      ["-Infinity", new PyFloat(Number.NEGATIVE_INFINITY)],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    const n = Number(m[0]);
    return m[2] !== undefined || m[3] !== undefined ? new PyFloat(n) : n;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}

// Python's str.isspace() also counts the ASCII separators 0x1c-0x1f and NEL.
const EXTRA_SPACE = new Set([0x1c, 0x1d, 0x1e, 0x1f, 0x85].map((c) => String.fromCharCode(c)));

function isPySpace(ch: string): boolean {
  return /\s/u.test(ch) || EXTRA_SPACE.has(ch);
}

/** Python's str.strip(). */
export function pyStrip(s: string): string {
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (a < b && isPySpace(chars[a]!)) a++;
  while (b > a && isPySpace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

/** Python's str.split() with no argument: runs of whitespace, no empty words. */
export function pySplit(s: string): string[] {
  const words: string[] = [];
  let cur = "";
  for (const ch of s) {
    if (isPySpace(ch)) {
      if (cur) words.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}
