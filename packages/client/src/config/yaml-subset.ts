import { CloudConfigError } from "../errors/cloud-config-error.js";

/** A value of the YAML subset: scalars, block mappings and sequences, flow sequences of scalars. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

/**
 * Reads the YAML that `clouds.yaml` files use: block mappings and sequences by indentation, plain, single- and
 * double-quoted scalars, `[a, b]` flow sequences, `{}`, comments and `---`. Anchors, aliases, tags and block
 * scalars (`|`, `>`) are refused with the line number rather than misread. Written here because the SDK takes
 * no runtime dependency but zod.
 */
export function parseYamlSubset(text: string, source = "yaml"): YamlValue {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.includes("\t") && /^\s*\t/.test(raw))
      fail(source, index + 1, "tabs are not allowed for indentation");
    const content = stripComment(raw).trimEnd();
    if (content.trim() === "" || content === "---" || content === "...") return;
    lines.push({
      indent: content.length - content.trimStart().length,
      text: content.trim(),
      number: index + 1,
    });
  });
  if (lines.length === 0) return null;
  const parser = { lines, pos: 0, source };
  const value = parseBlock(parser, lines[0]!.indent);
  if (parser.pos < lines.length) fail(source, lines[parser.pos]!.number, "unexpected indentation");
  return value;
}

interface Parser {
  lines: Line[];
  pos: number;
  source: string;
}

function parseBlock(p: Parser, indent: number): YamlValue {
  const first = p.lines[p.pos]!;
  return first.text === "-" || first.text.startsWith("- ")
    ? parseSequence(p, indent)
    : parseMapping(p, indent);
}

function parseMapping(p: Parser, indent: number): YamlValue {
  const out: Record<string, YamlValue> = {};
  while (p.pos < p.lines.length) {
    const line = p.lines[p.pos]!;
    if (line.indent < indent) break;
    if (line.indent > indent) fail(p.source, line.number, "unexpected indentation");
    if (line.text.startsWith("- ")) fail(p.source, line.number, "a sequence item where a key was expected");
    const [key, rest] = splitKey(p, line);
    p.pos++;
    if (Object.hasOwn(out, key)) fail(p.source, line.number, `duplicate key ${key}`);
    out[key] = rest === "" ? nested(p, indent, line) : scalar(p, rest, line.number);
  }
  return out;
}

function parseSequence(p: Parser, indent: number): YamlValue {
  const out: YamlValue[] = [];
  while (p.pos < p.lines.length) {
    const line = p.lines[p.pos]!;
    if (line.indent < indent) break;
    const isItem = line.text === "-" || line.text.startsWith("- ");
    // A sequence at its key's indentation ends at the next key.
    if (line.indent === indent && !isItem) break;
    if (line.indent > indent) fail(p.source, line.number, "expected a sequence item");
    const rest = line.text.slice(1).trimStart();
    if (rest === "") {
      p.pos++;
      out.push(nested(p, indent, line));
    } else if (looksLikeKey(rest)) {
      // `- key: value` opens a mapping whose keys sit where `key` starts.
      const itemIndent = line.indent + (line.text.length - rest.length);
      p.lines[p.pos] = { ...line, indent: itemIndent, text: rest };
      out.push(parseMapping(p, itemIndent));
    } else {
      p.pos++;
      out.push(scalar(p, rest, line.number));
    }
  }
  return out;
}

function nested(p: Parser, indent: number, owner: Line): YamlValue {
  const next = p.lines[p.pos];
  // A sequence may sit at its key's indentation (`key:\n- a`), as PyYAML allows.
  if (
    next &&
    (next.indent > indent ||
      (next.indent === indent && next.text.startsWith("- ") && owner.text.endsWith(":")))
  ) {
    if (next.indent === indent) return parseSequence(p, indent);
    return parseBlock(p, next.indent);
  }
  return null;
}

function looksLikeKey(text: string): boolean {
  return /^("[^"]*"|'[^']*'|[^\s"'[{#][^:]*?)\s*:(\s|$)/.test(text);
}

function splitKey(p: Parser, line: Line): [string, string] {
  const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^"'[{][^:]*?)\s*:(?:\s+(.*))?$/.exec(line.text);
  if (!match) fail(p.source, line.number, "expected `key: value`");
  const rawKey = match[1]!;
  const key =
    rawKey.startsWith('"') || rawKey.startsWith("'") ? String(quoted(p, rawKey, line.number)) : rawKey;
  return [key, (match[2] ?? "").trim()];
}

function scalar(p: Parser, text: string, number: number): YamlValue {
  const first = text[0];
  if (first === "&" || first === "*" || first === "!")
    fail(p.source, number, "anchors, aliases and tags are not supported");
  if (first === "|" || first === ">") fail(p.source, number, "block scalars are not supported");
  if (first === '"' || first === "'") return quoted(p, text, number);
  if (text === "{}") return {};
  if (first === "{") fail(p.source, number, "flow mappings are not supported");
  if (first === "[") {
    if (!text.endsWith("]")) fail(p.source, number, "unterminated flow sequence");
    const inner = text.slice(1, -1).trim();
    if (inner === "") return [];
    return splitFlow(inner).map((item) => scalar(p, item.trim(), number));
  }
  return plain(text);
}

function plain(text: string): YamlValue {
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

function quoted(p: Parser, text: string, number: number): string {
  const quote = text[0]!;
  if (text.length < 2 || !text.endsWith(quote)) fail(p.source, number, "unterminated quoted string");
  const body = text.slice(1, -1);
  if (quote === "'") {
    if (/(^|[^'])'([^']|$)/.test(body.replace(/''/g, ""))) fail(p.source, number, "stray quote in a string");
    return body.replace(/''/g, "'");
  }
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e.startsWith("u") || e.startsWith("x")) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    const escapes: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      "0": "\0",
      '"': '"',
      "\\": "\\",
      "/": "/",
      " ": " ",
    };
    const out = escapes[e];
    if (out === undefined) fail(p.source, number, `unknown escape \\${e}`);
    return out;
  });
}

// Commas split a flow sequence, except inside quotes.
function splitFlow(text: string): string[] {
  const items: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ",") {
      items.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  items.push(current);
  return items;
}

// A `#` starts a comment at the line's start or after a space, outside quotes.
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      if (i === 0 || /[\s:[,-]/.test(line[i - 1]!)) quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function fail(source: string, line: number, message: string): never {
  throw new CloudConfigError(`${source}:${line}: ${message}`);
}
