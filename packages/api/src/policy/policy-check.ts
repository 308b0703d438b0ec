import type { RequestContext } from "../request-context.js";

/** What a rule is checked against: the resource's owner, as oslo.policy's `target` dict. */
export interface PolicyTarget {
  /** The project owning the resource (`%(project_id)s`). */
  readonly project_id?: string;
  /** The user owning the resource (`%(user_id)s`; key pairs belong to a user). */
  readonly user_id?: string;
  readonly [key: string]: string | undefined;
}

/** A parsed oslo.policy check string. */
export type PolicyCheck =
  | { kind: "true" }
  | { kind: "false" }
  | { kind: "rule"; name: string }
  | { kind: "match"; key: string; value: string }
  | { kind: "not"; check: PolicyCheck }
  | { kind: "and"; checks: PolicyCheck[] }
  | { kind: "or"; checks: PolicyCheck[] };

const FALSE: PolicyCheck = { kind: "false" };

type Token =
  | { type: "(" | ")" | "and" | "or" | "not" }
  | { type: "check"; check: PolicyCheck }
  | { type: "string" };

/**
 * Parses oslo.policy's rule syntax (`role:admin or (project_id:%(project_id)s and not role:reader)`, `@`, `!`).
 * As oslo.policy: `""` always passes; a rule it cannot parse (unbalanced parentheses, a dangling `or`, a quoted
 * word standing alone) denies as a whole; `not` binds tighter than `and`, `and` tighter than `or`; the
 * keywords are case-insensitive; a word without `:` is a check that always fails.
 */
export function parsePolicyCheck(text: string): PolicyCheck {
  if (text === "") return { kind: "true" };
  const tokens = tokenize(text);
  let i = 0;
  // Each parse function returns undefined on a syntax error, which fails the whole rule closed.
  const parseOr = (): PolicyCheck | undefined => {
    const first = parseAnd();
    if (first === undefined) return undefined;
    const checks = [first];
    while (tokens[i]?.type === "or") {
      i++;
      const next = parseAnd();
      if (next === undefined) return undefined;
      checks.push(next);
    }
    return checks.length === 1 ? first : { kind: "or", checks };
  };
  const parseAnd = (): PolicyCheck | undefined => {
    const first = parseNot();
    if (first === undefined) return undefined;
    const checks = [first];
    while (tokens[i]?.type === "and") {
      i++;
      const next = parseNot();
      if (next === undefined) return undefined;
      checks.push(next);
    }
    return checks.length === 1 ? first : { kind: "and", checks };
  };
  const parseNot = (): PolicyCheck | undefined => {
    const token = tokens[i++];
    if (token === undefined) return undefined;
    if (token.type === "not") {
      const inner = parseNot();
      return inner === undefined ? undefined : { kind: "not", check: inner };
    }
    if (token.type === "(") {
      const inner = parseOr();
      if (inner === undefined || tokens[i]?.type !== ")") return undefined;
      i++;
      return inner;
    }
    return token.type === "check" ? token.check : undefined;
  };
  const check = parseOr();
  return check !== undefined && i === tokens.length ? check : FALSE;
}

// As oslo.policy's _parse_tokenize: split on whitespace, then peel parentheses off each word's ends; a check's
// own parentheses (`%(project_id)s`) never sit at either end.
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    let w = word;
    while (w.startsWith("(")) {
      tokens.push({ type: "(" });
      w = w.slice(1);
    }
    if (w === "") continue;
    const clean = w.replace(/\)+$/, "");
    const lowered = clean.toLowerCase();
    if (lowered === "and" || lowered === "or" || lowered === "not") tokens.push({ type: lowered });
    else if (clean !== "") {
      // A quoted word (quotes tested before the closing parentheses come off) is a string token, not a check:
      // oslo.policy ends up calling a string there and errors; denying is the closed way to fail.
      const quoted = w.length >= 2 && (w[0] === '"' || w[0] === "'") && w.at(-1) === w[0];
      tokens.push(quoted ? { type: "string" } : { type: "check", check: parseBaseCheck(clean) });
    }
    for (let n = w.length - clean.length; n > 0; n--) tokens.push({ type: ")" });
  }
  return tokens;
}

function parseBaseCheck(text: string): PolicyCheck {
  if (text === "!") return FALSE;
  if (text === "@") return { kind: "true" };
  const colon = text.indexOf(":");
  if (colon < 0) return FALSE; // oslo.policy: a check it cannot split fails closed
  const key = text.slice(0, colon);
  const value = text.slice(colon + 1);
  return key === "rule" ? { kind: "rule", name: value } : { kind: "match", key, value };
}

type CredValue = string | boolean | null | readonly CredValue[] | { readonly [key: string]: CredValue };

/** The credentials a rule sees: oslo.context's `to_policy_values`, plus Nova's `is_admin`. */
function credentials(context: RequestContext): Record<string, CredValue> {
  return {
    user_id: context.userId,
    user_domain_id: context.userDomainId ?? null,
    system_scope: context.systemScope ?? null,
    domain_id: context.domainId ?? null,
    // A system- or domain-scoped token has no project: oslo.context reports None, not "".
    project_id: context.projectId === "" ? null : context.projectId,
    project_domain_id: context.projectDomainId ?? null,
    roles: context.roles,
    is_admin_project: context.isAdminProject ?? true,
    service_user_id: context.service?.userId ?? null,
    service_user_domain_id: context.service?.userDomainId ?? null,
    service_project_id: context.service?.projectId ?? null,
    service_project_domain_id: context.service?.projectDomainId ?? null,
    service_roles: context.service?.roles ?? [],
    is_admin: context.isAdmin,
  };
}

/** Evaluates a check for a caller and a target; `rules` resolves `rule:<name>`. */
export function evaluatePolicyCheck(
  check: PolicyCheck,
  context: RequestContext,
  target: PolicyTarget,
  rules: (name: string) => PolicyCheck | undefined,
  depth = 0,
): boolean {
  if (depth > 50) return false; // a rule that refers to itself denies instead of recursing forever
  switch (check.kind) {
    case "true":
      return true;
    case "false":
      return false;
    case "not":
      return !evaluatePolicyCheck(check.check, context, target, rules, depth + 1);
    case "and":
      return check.checks.every((c) => evaluatePolicyCheck(c, context, target, rules, depth + 1));
    case "or":
      return check.checks.some((c) => evaluatePolicyCheck(c, context, target, rules, depth + 1));
    case "rule": {
      const rule = rules(check.name);
      return rule !== undefined && evaluatePolicyCheck(rule, context, target, rules, depth + 1);
    }
    case "match":
      return evaluateMatch(check.key, check.value, context, target);
  }
}

function evaluateMatch(key: string, value: string, context: RequestContext, target: PolicyTarget): boolean {
  // Nova registers its own `is_admin` check: anything but "true" (any case) expects a non-admin; no target.
  if (key === "is_admin") return context.isAdmin === (value.toLowerCase() === "true");
  const match = interpolate(value, target);
  if (match === undefined) return false; // a target key the rule names is missing: the check fails
  // RoleCheck: a role of the caller, compared without case.
  if (key === "role") return context.roles.some((r) => r.toLowerCase() === match.toLowerCase());
  // GenericCheck: the left side is a Python literal (`True`, `'Member'`, `42`) or a dotted path into the
  // credentials, compared with the right side as Python's str() would print it.
  const literal = pythonLiteral(key);
  if (literal !== undefined) return literal === match;
  return findInCredentials(credentials(context), key.split("."), match);
}

function findInCredentials(value: CredValue | undefined, path: readonly string[], match: string): boolean {
  if (value === undefined) return false;
  if (path.length === 0) return pythonStr(value) === match;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const segment = path[0]!;
  const next = Object.hasOwn(value, segment) ? (value as Record<string, CredValue>)[segment] : undefined;
  const rest = path.slice(1);
  if (Array.isArray(next)) return next.some((item: CredValue) => findInCredentials(item, rest, match));
  return findInCredentials(next, rest, match);
}

function pythonStr(value: CredValue): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// The literals ast.literal_eval reads on a check's left side, as str() prints them; undefined for a name.
function pythonLiteral(text: string): string | undefined {
  if (text === "True" || text === "False" || text === "None") return text;
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return quoted[2];
  if (/^[+-]?\d+$/.test(text)) return BigInt(text).toString();
  return undefined;
}

// Python's `match % target` with a dict: every `%(key)s` is replaced and `%%` is a percent sign; undefined when
// a named key is missing from the target.
function interpolate(value: string, target: PolicyTarget): string | undefined {
  if (!value.includes("%")) return value;
  let missing = false;
  const out = value.replace(/%%|%\(([^)]*)\)s/g, (whole, key: string | undefined) => {
    if (whole === "%%") return "%";
    const v = Object.hasOwn(target, key!) ? target[key!] : undefined;
    if (v === undefined) missing = true;
    return v ?? "";
  });
  return missing ? undefined : out;
}
