import type { z } from "zod";
import { HttpFault } from "./http-fault.js";
import { pythonRepr, pythonStr } from "./python-repr.js";

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Parses `input` with `schema`, or throws a 400 HttpFault worded as Nova's JSON-schema validation. */
export function validateBody<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw HttpFault.badRequest(novaValidationMessage(result.error.issues[0]!, input));
}

/** Nova's message for one validation failure ("Invalid input for field/attribute X. Value: v. why"). */
export function novaValidationMessage(issue: Issue, input: unknown): string {
  const { path, message } = describe(issue, issue.path, input);
  if (path.length === 0) return message;
  const field = String(path[path.length - 1]);
  return `Invalid input for field/attribute ${field}. Value: ${pythonStr(valueAt(input, path))}. ${message}`;
}

function describe(issue: Issue, path: Path, input: unknown): { path: Path; message: string } {
  const value = valueAt(input, path);
  // Whatever check zod ran, a missing value is JSON schema's "required" failure, reported on the parent.
  if (
    value === undefined &&
    path.length > 0 &&
    issue.code !== "unrecognized_keys" &&
    issue.code !== "invalid_key"
  ) {
    return {
      path: path.slice(0, -1),
      message: `${pythonRepr(String(path[path.length - 1]))} is a required property`,
    };
  }
  // Nova's integer type and formats are checks zod reports as custom issues carrying a marker message.
  if (isTypeMarker(issue)) {
    return {
      path,
      message: `${pythonRepr(value)} is not of type ${pythonRepr(issue.message.slice("type:".length))}`,
    };
  }
  switch (issue.code) {
    case "custom":
      // Nova reports an invalid name with InvalidName's own message, without the field prefix.
      if (issue.params?.bare === true) return { path: [], message: issue.message };
      if (issue.params?.oneOf === true) {
        return { path, message: `${pythonRepr(value)} is not valid under any of the given schemas` };
      }
      if (issue.message.startsWith("format:")) {
        return {
          path,
          message: `${pythonRepr(value)} is not a ${pythonRepr(issue.message.slice("format:".length))}`,
        };
      }
      return { path, message: issue.message };
    case "invalid_type":
      return {
        path,
        message: `${pythonRepr(value)} is not of type ${pythonRepr(jsonType(issue.expected, issue.message))}`,
      };
    case "unrecognized_keys":
      return { path, message: unexpected(issue.keys) };
    case "invalid_key":
      return { path: path.slice(0, -1), message: unexpected([String(path[path.length - 1])]) };
    case "too_small":
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
        return { path, message: `${pythonRepr(value)} is less than the minimum of ${issue.minimum}` };
      }
      return { path, message: `${pythonRepr(value)} is too short` };
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
        return { path, message: `${pythonRepr(value)} is greater than the maximum of ${issue.maximum}` };
      }
      return { path, message: `${pythonRepr(value)} is too long` };
    case "invalid_value":
      return { path, message: `${pythonRepr(value)} is not one of ${pythonRepr(issue.values)}` };
    case "invalid_format":
      if (issue.format === "regex" && "pattern" in issue && typeof issue.pattern === "string") {
        return {
          path,
          message: `${pythonRepr(value)} does not match ${pythonRepr(regexSource(issue.pattern))}`,
        };
      }
      return { path, message: `${pythonRepr(value)} is not a ${pythonRepr(issue.format)}` };
    case "invalid_union": {
      // A plain type union (["string", "null"]) fails with "is not of type 'string', 'null'", as
      // jsonschema words a list of types; any other union is a oneOf/anyOf that nothing matched.
      const types = issue.errors.map((branch) => {
        const only = branch.length === 1 ? branch[0] : undefined;
        if (only === undefined || only.path.length !== 0) return undefined;
        if (isTypeMarker(only)) return only.message.slice("type:".length);
        return only.code === "invalid_type" ? jsonType(only.expected, only.message) : undefined;
      });
      if (types.every((t) => t !== undefined) && new Set(types).size === types.length) {
        return {
          path,
          message: `${pythonRepr(value)} is not of type ${types.map((t) => pythonRepr(t)).join(", ")}`,
        };
      }
      return { path, message: `${pythonRepr(value)} is not valid under any of the given schemas` };
    }
    default:
      return { path, message: issue.message };
  }
}

/** A non-integral number where Nova's schema says integer (zod's multipleOf(1), marked "type:integer"). */
function isTypeMarker(issue: Issue): boolean {
  return issue.code === "not_multiple_of" && issue.message.startsWith("type:");
}

function unexpected(keys: readonly string[]): string {
  const listed = keys.map((k) => pythonRepr(k)).join(", ");
  return `Additional properties are not allowed (${listed} ${keys.length === 1 ? "was" : "were"} unexpected)`;
}

function jsonType(expected: string, message?: string): string {
  // Schemas mark integer types ("type:integer") since zod reports them as "number".
  if (message?.startsWith("type:")) return message.slice("type:".length);
  if (expected === "int") return "integer";
  return expected;
}

function regexSource(pattern: string): string {
  const match = /^\/(.*)\/[a-z]*$/s.exec(pattern);
  return match ? match[1]! : pattern;
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
