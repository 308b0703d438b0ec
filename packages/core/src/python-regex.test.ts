import { describe, expect, it } from "vitest";
import { InvalidRegexError, translatePythonRegex } from "./python-regex.js";

describe("translatePythonRegex", () => {
  it("keeps what Python, PCRE2 and RE2 read alike", () => {
    for (const p of [
      "^(a+)+$",
      "web-\\d{2,3}",
      "a|b",
      "[a-z\\-]+",
      "x{2}",
      "(?:ab)*?",
      "\\.",
      "(?i)web",
      "(?i:a)b",
    ]) {
      expect(translatePythonRegex(p)).toBe(p);
    }
  });

  it("rewrites Python-only spellings", () => {
    expect(translatePythonRegex("(?P<n>ab)(?P=n)\\Z")).toBe("(?P<n>ab)(?P=n)\\z");
    expect(translatePythonRegex("\\u00e9\\x41\\0")).toBe("\\x{e9}\\x{41}\\x{0}");
    expect(translatePythonRegex("a{,3}")).toBe("a{0,3}");
    expect(translatePythonRegex("a(?#note)b")).toBe("ab");
    expect(translatePythonRegex("a{b}]")).toBe("a\\{b\\}\\]");
    expect(translatePythonRegex("(?a)x")).toBe("x");
  });

  it("refuses what Python's re.compile refuses", () => {
    for (const p of [
      "(",
      "a)",
      "*a",
      "a**",
      "[a",
      "\\q",
      "\\",
      "a(?i)",
      "[z-a]",
      "(?P<1>a)",
      "(?L)a",
      "\\N{DASH}",
    ]) {
      expect(() => translatePythonRegex(p), p).toThrow(InvalidRegexError);
    }
    try {
      translatePythonRegex("(");
    } catch (error) {
      expect(InvalidRegexError.isInstance(error) && error.code).toBe("INVALID_REGEX");
    }
  });
});
