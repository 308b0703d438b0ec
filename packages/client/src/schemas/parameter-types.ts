import { z } from "zod";

// Nova's JSON-schema parameter types (nova/api/validation/parameter_types.py), expressed once in zod.

/** A UUID as Nova's `uuid` format accepts it (hex, hyphens optional, any case). */
export const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const NAME_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";

/** Nova's `name`: 1..255 printable characters, no leading or trailing whitespace. */
export const nameParam = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => /^(?!\s)[^\p{Cc}\p{Cs}\p{Co}\p{Cn}]*(?<!\s)$/u.test(value), NAME_MESSAGE);

// JSON schema says "integer" where zod says "number"; the API's error messages read this marker.
const integer = () =>
  z.int({ error: (issue) => (issue.code === "invalid_type" ? "type:integer" : undefined) });

/** Nova's `positive_integer`: an integer >= 1 or a string of digits. */
export const positiveIntegerParam = z.union([
  integer().min(1),
  z
    .string()
    .min(1)
    .regex(/^[0-9]*$/),
]);

/**
 * The `length` of `os-getConsoleOutput`: an integer from -1, a string of an integer, or null (Nova's schema;
 * -1 and null mean the whole log).
 */
export const consoleOutputLengthParam = z.union([
  integer().min(-1),
  z.string().regex(/^-?[0-9]+$/),
  z.null(),
]);

/** Nova's `boolean`: true/false or one of the strings oslo accepts. */
export const booleanParam = z.union([
  z.boolean(),
  z.enum([
    "True",
    "TRUE",
    "true",
    "1",
    "ON",
    "On",
    "on",
    "YES",
    "Yes",
    "yes",
    "False",
    "FALSE",
    "false",
    "0",
    "OFF",
    "Off",
    "off",
    "NO",
    "No",
    "no",
  ]),
]);

/** Nova's `metadata`: string keys matching `^[a-zA-Z0-9-_:. ]{1,255}$` to strings of at most 255. */
export const metadataParam = z.record(z.string().regex(/^[a-zA-Z0-9-_:. ]{1,255}$/), z.string().max(255));

/** Nova's `image_id_or_empty_string`: a UUID or "". */
export const imageRefParam = z.union([z.string().regex(uuidPattern), z.string().max(0)]);

/** Nova's `flavor_ref`: a non-empty string or an integer (an id or a URL ending in the id). */
export const flavorRefParam = z.union([z.string().min(1), integer()]);

/** Nova's `description`: up to 255 characters, or null. */
export const descriptionParam = z.union([z.string().max(255), z.null()]);
