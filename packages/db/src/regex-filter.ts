import { translatePythonRegex } from "@nova/core";
import { type RawBuilder, sql } from "kysely";
import { RE2JS } from "re2js";
import { UnsupportedRegexError } from "./errors/query-error.js";

/** A compiled filter: true when the value matches somewhere (Python's `re.search`). */
export type RegexMatcher = (value: string) => boolean;

// Compiled patterns by their translated source: a list evaluates one pattern against every row.
const compiled = new Map<string, RE2JS>();
const CACHE_SIZE = 256;

function compileRe2(source: string, original: string): RE2JS {
  let re = compiled.get(source);
  if (re) return re;
  try {
    re = RE2JS.compile(source);
  } catch (error) {
    throw new UnsupportedRegexError(original, (error as Error).message);
  }
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(source, re);
  return re;
}

/**
 * A Python regex (Nova's regex filters) evaluated by RE2's linear-time engine, never by a backtracking one:
 * InvalidRegexError where Python refuses the pattern, UnsupportedRegexError where RE2 cannot express it.
 */
export function safeRegexMatcher(pattern: string): RegexMatcher {
  const re = compileRe2(translatePythonRegex(pattern), pattern);
  return (value) => re.matcher(value).find();
}

/** SQLite's `X REGEXP Y` calls regexp(Y, X): Y is a pattern already translated by {@link regexCondition}. */
export function sqliteRegexp(source: unknown, value: unknown): number {
  if (value === null || value === undefined) return 0;
  return compileRe2(String(source), String(source)).matcher(String(value)).find() ? 1 : 0;
}

/**
 * `column REGEXP pattern` as Nova's `_regex_instance_filter` writes it: on MariaDB with `|` escaped (Nova's
 * `_safe_regex_mysql`) and PCRE2's own match limit; on SQLite through {@link sqliteRegexp}. The pattern is
 * checked first, so a bad one fails before any query runs.
 */
export function regexCondition(
  dialect: "mysql" | "sqlite",
  column: string,
  pattern: string,
): RawBuilder<boolean> {
  const source = translatePythonRegex(pattern);
  if (dialect === "sqlite") compileRe2(source, pattern);
  const value = dialect === "mysql" ? source.replaceAll("|", "\\|") : source;
  return sql<boolean>`${sql.ref(column)} REGEXP ${value}`;
}
