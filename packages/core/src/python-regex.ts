import { NovaError } from "./nova-error.js";

/** A pattern Python's `re.compile` refuses (Nova answers such a regex filter with a 400). */
export class InvalidRegexError extends NovaError {
  constructor(
    readonly pattern: string,
    reason: string,
  ) {
    super("INVALID_REGEX", `invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
}

// Letters Python's re knows after a backslash; any other ASCII letter is "bad escape" (Python 3.7+).
const ESCAPES_OUTSIDE = new Set("abBdDfnrsStvwWxuUNAZ");
const ESCAPES_IN_CLASS = new Set("abdDfnrsStvwWxuUN");

/**
 * Translates a Python `re` pattern (as Nova's regex filters take them) into the spelling PCRE2 (MariaDB's
 * REGEXP) and RE2 both read with Python's meaning, and checks that Python would compile it: InvalidRegexError
 * otherwise. Python-only forms are rewritten (`\Z` is `\z`, `\uXXXX` is `\x{XXXX}`, `{,n}` is `{0,n}`,
 * `(?#...)` goes); `(?P<name>...)` and `(?P=name)` are kept, as both engines spell them so.
 */
export function translatePythonRegex(pattern: string): string {
  let out = "";
  // A JavaScript spelling of the same pattern, compiled (never run) only to find syntax errors Python shares.
  let js = "";
  let inClass = false;
  let classStart = false;
  const fail = (reason: string): never => {
    throw new InvalidRegexError(pattern, reason);
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) fail("bad escape (end of pattern)");
      i++;
      classStart = false;
      if (/[A-Za-z]/.test(n!) && !(inClass ? ESCAPES_IN_CLASS : ESCAPES_OUTSIDE).has(n!))
        fail(`bad escape \\${n}`);
      const hex = (len: number, name: string) => {
        const digits = pattern.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) fail(`incomplete escape \\${name}${digits}`);
        i += len;
        const code = Number.parseInt(digits, 16);
        if (code > 0x10ffff) fail(`bad escape \\${name}${digits}`);
        return code;
      };
      let code: number | undefined;
      if (n === "x") code = hex(2, "x");
      else if (n === "u") code = hex(4, "u");
      else if (n === "U") code = hex(8, "U");
      else if (n === "N") fail("named unicode escapes (\\N{...}) are not supported");
      else if (n === "a") code = 7;
      else if (n === "v") code = 11;
      else if (n === "f") code = 12;
      else if (n === "b" && inClass) code = 8;
      else if (n === "0" || (inClass && /[1-7]/.test(n!))) {
        // Octal: up to three digits.
        const m = /^[0-7]{1,3}/.exec(pattern.slice(i))!;
        i += m[0].length - 1;
        code = Number.parseInt(m[0], 8);
      } else if (/[1-9]/.test(n!)) {
        // A group reference (\1 to \99); three octal digits are an octal escape in Python.
        const m = /^[1-9][0-9]?/.exec(pattern.slice(i))!;
        const octal = /^[0-3][0-7]{2}/.exec(pattern.slice(i));
        if (octal) {
          i += 2;
          code = Number.parseInt(octal[0], 8);
        } else {
          i += m[0].length - 1;
          out += `\\${m[0]}`;
          js += `\\${m[0]}`;
          continue;
        }
      }
      if (code !== undefined) {
        const h = code.toString(16);
        out += `\\x{${h}}`;
        js += `\\u{${h}}`;
      } else if (n === "Z") {
        out += "\\z";
        js += "$(?![^])";
      } else if (n === "A") {
        out += "\\A";
        js += "^";
      } else if (/[A-Za-z0-9]/.test(n!)) {
        out += `\\${n}`;
        js += `\\${n}`;
      } else {
        // Python escapes any other character to itself; JavaScript's strict mode only some.
        out += `\\${n}`;
        js += `\\u{${n!.codePointAt(0)!.toString(16)}}`;
      }
      continue;
    }
    if (inClass) {
      if (c === "]" && !classStart) inClass = false;
      classStart = classStart && c === "^";
      out += c;
      js += c === "[" ? "\\[" : c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      classStart = true;
      out += c;
      js += c;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith("#")) {
        const end = pattern.indexOf(")", i);
        if (end < 0) fail("missing ), unterminated comment");
        i = end;
        continue;
      }
      if (rest.startsWith("P<")) {
        const m = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (!m) fail("bad character in group name");
        out += `(?P<${m![1]}>`;
        js += `(?<${m![1]}>`;
        i += 1 + m![0].length;
        continue;
      }
      if (rest.startsWith("P=")) {
        const m = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
        if (!m) fail("bad character in group name");
        out += `(?P=${m![1]})`;
        js += `\\k<${m![1]}>`;
        i += 1 + m![0].length;
        continue;
      }
      // Inline flags: global ones (`(?i)`) only at the start, as Python 3.11 insists; scoped ones (`(?i:...)`).
      const flags = /^([aiLmsux]*)(?:-([imsx]+))?([:)])/.exec(rest);
      if (flags && (flags[1] || flags[2])) {
        if (flags[1]!.includes("L")) fail("bad inline flags: cannot use 'L' flag with a str pattern");
        if (flags[3] === ")" && (i !== 0 || flags[2]))
          fail("global flags not at the start of the expression");
        const kept = flags[1]!.replace(/[au]/g, "");
        const off = flags[2] ? `-${flags[2]}` : "";
        if (kept || off) out += `(?${kept}${off}${flags[3]}`;
        else if (flags[3] === ":") out += "(?:";
        js += flags[3] === ":" ? "(?:" : "";
        i += 1 + flags[0].length;
        continue;
      }
    }
    if (c === "{") {
      // Python reads x{,n} as x{0,n}; the engines would read it as literal text.
      const m = /^\{,(\d+)\}/.exec(pattern.slice(i));
      if (m) {
        out += `{0,${m[1]}}`;
        js += `{0,${m[1]}}`;
        i += m[0].length - 1;
        continue;
      }
      // Text that is no quantifier is a literal brace in Python (strict JavaScript wants it escaped).
      const q = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      out += q ? q[0] : "\\{";
      js += q ? q[0] : "\\{";
      if (q) i += q[0].length - 1;
      continue;
    }
    if (c === "}" || c === "]") {
      out += `\\${c}`;
      js += `\\${c}`;
      continue;
    }
    out += c;
    js += c;
  }
  if (inClass) fail("unterminated character set");
  try {
    new RegExp(js, "u");
  } catch (error) {
    fail((error as Error).message.replace(/^Invalid regular expression: /, ""));
  }
  return out;
}
