import { z } from "zod";

// Nova's JSON-schema parameter types (nova/api/validation/parameter_types.py), expressed once in zod.

/** A UUID as Nova's `uuid` format accepts it (hex, hyphens optional, any case). */
export const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const NAME_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";

// Nova's "printable" (parameter_types._build_regex_range): a code point below U+FFFF whose Unicode category is
// neither C* nor a non-space separator (Zl, Zp). Nova builds its ranges over the BMP only, so characters above
// U+FFFF (emoji included) are refused too.
const PRINTABLE = String.raw`[^\p{C}\p{Zl}\p{Zp}\u{10000}-\u{10FFFF}]`;

/** Nova's `valid_name_regex`: printable characters, the first and last not a space separator (Zs). */
export const validNamePattern = new RegExp(String.raw`^(?!\p{Zs})${PRINTABLE}*(?<!\p{Zs})$`, "u");

/** Nova's `valid_description_regex`: printable characters only (spaces anywhere). */
export const validDescriptionPattern = new RegExp(`^${PRINTABLE}*$`, "u");

/**
 * Nova's `name`: 1..255 printable characters, no leading or trailing space. A bad character fails with Nova's
 * InvalidName message alone (`params.bare`), which the API reports without the field prefix, as Nova does.
 */
export const nameParam = z
  .string()
  .min(1)
  .max(255)
  .refine((value) => validNamePattern.test(value), { error: NAME_MESSAGE, params: { bare: true } });

/**
 * JSON schema's "integer" (zod's number, integral); the API's error messages read its marker. Any integral
 * JSON number is an integer to Nova (Python ints are unbounded), so no safe-integer limit applies: 2^53 + 1
 * reaches the handler (as the nearest double) instead of failing validation.
 */
export const integer = () =>
  z
    .number({ error: (issue) => (issue.code === "invalid_type" ? "type:integer" : undefined) })
    .multipleOf(1, { error: "type:integer", abort: true });

/** Nova's `positive_integer`: an integer >= 1 or a string of digits. */
export const positiveIntegerParam = z.union([
  integer().min(1),
  z
    .string()
    .min(1)
    .regex(/^[0-9]*$/)
    // Nova's validator applies `minimum` to digit strings too; only zeros ("0", "00") are below 1.
    .refine((v) => /[1-9]/.test(v), { error: "0 is less than the minimum of 1" }),
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

/**
 * JSON schema's `oneOf` as Nova's validator reports it: when no option matches, the one error is on the
 * value itself ("... is not valid under any of the given schemas"), never an option's inner error, which is
 * what zod's union reports when a single option got past the type check. Parses as `z.union(options)`.
 */
export function oneOf<const T extends readonly [z.ZodType, z.ZodType, ...z.ZodType[]]>(...options: T) {
  const union = z.union(options);
  return z.unknown().transform((value, ctx) => {
    const parsed = union.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: "oneOf", params: { oneOf: true }, input: value });
    return z.NEVER;
  }) as unknown as typeof union;
}

/** Nova's `image_id_or_empty_string`: a UUID or "". */
export const imageRefParam = z.union([
  z.string().refine(isUuidLike, { error: "format:uuid" }),
  z.string().max(0),
]);

/** Nova's `flavor_ref`: a non-empty string or an integer (an id or a URL ending in the id). */
export const flavorRefParam = z.union([z.string().min(1), integer()]);

/** Nova's `description`: up to 255 printable characters, or null. */
export const descriptionParam = z.union([z.string().max(255).regex(validDescriptionPattern), z.null()]);

/**
 * oslo.utils' `is_uuid_like`, Nova's `uuid` format: 32 hex digits once `urn:`, `uuid:`, surrounding braces
 * and every hyphen are removed, in any case.
 */
export function isUuidLike(value: string): boolean {
  const hex = value
    .replaceAll("urn:", "")
    .replaceAll("uuid:", "")
    .replace(/^[{}]+|[{}]+$/g, "")
    .replaceAll("-", "")
    .toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex);
}

/** A string in Nova's `uuid` format. */
export const uuidParam = z.string().refine(isUuidLike, { error: "format:uuid" });

/**
 * Nova's `base64` format: what Python's non-strict `base64.b64decode` accepts. Characters outside the
 * alphabet are skipped, decoding stops at a complete padding, and a final group of 1 character (or an
 * unpadded group of 2-3) is an error. Non-ASCII text is refused (Nova itself fails with a 500 there).
 */
export function isPythonBase64(value: string): boolean {
  let quad = 0;
  let pads = 0;
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code > 0x7f) return false;
    if (char === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return true;
      continue;
    }
    if (!/[A-Za-z0-9+/]/.test(char)) continue;
    pads = 0;
    quad = (quad + 1) % 4;
  }
  return quad === 0;
}

/** Nova's `hostname` (2.90): 2..63 letters, digits and dashes, not starting or ending with a dash. */
export const hostnameParam = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$/);

/** Nova's `fqdn` (a `services.host` or a hypervisor hostname; underscores allowed as Nova allows them). */
export const fqdnParam = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z0-9-._]*$/);

/** Nova's `ip_address`: an IPv4 or an IPv6 address. */
export const ipAddressParam = z.union([z.ipv4(), z.ipv6()]);

/** Nova's `tag`: 1..60 characters without `,` or `/`. */
export const tagParam = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[^,/]*$/);
