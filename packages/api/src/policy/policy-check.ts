import type { RequestContext } from "../request-context.js";

/** What a rule is checked against: the resource's owner, as oslo.policy's `target` dict. */
export interface PolicyTarget {
  readonly project_id?: string;
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

/** Parses oslo.policy's rule syntax (`role:admin or (project_id:%(project_id)s and not role:reader)`, `@`, `!`). */
export function parsePolicyCheck(text: string): PolicyCheck {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: "true" }; // oslo.policy: an empty rule always passes
  let i = 0;
  const parseOr = (): PolicyCheck => {
    const checks = [parseAnd()];
    while (tokens[i]?.toLowerCase() === "or") {
      i++;
      checks.push(parseAnd());
    }
    return checks.length === 1 ? checks[0]! : { kind: "or", checks };
  };
  const parseAnd = (): PolicyCheck => {
    const checks = [parseNot()];
    while (tokens[i]?.toLowerCase() === "and") {
      i++;
      checks.push(parseNot());
    }
    return checks.length === 1 ? checks[0]! : { kind: "and", checks };
  };
  const parseNot = (): PolicyCheck => {
    if (tokens[i]?.toLowerCase() === "not") {
      i++;
      return { kind: "not", check: parseNot() };
    }
    const token = tokens[i++];
    if (token === undefined) return { kind: "false" };
    if (token === "(") {
      const inner = parseOr();
      if (tokens[i] === ")") i++;
      return inner;
    }
    if (token === "@") return { kind: "true" };
    if (token === "!") return { kind: "false" };
    const colon = token.indexOf(":");
    // oslo.policy turns a check it cannot parse into a FalseCheck rather than failing the whole rule.
    if (colon <= 0) return { kind: "false" };
    const key = token.slice(0, colon);
    const value = token.slice(colon + 1);
    return key === "rule" ? { kind: "rule", name: value } : { kind: "match", key, value };
  };
  const check = parseOr();
  return i === tokens.length ? check : { kind: "false" };
}

// As oslo.policy: split on spaces, then peel parentheses off each word's ends (`%(project_id)s` stays whole).
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.startsWith("(")) {
      tokens.push("(");
      w = w.slice(1);
    }
    let closing = 0;
    while (w.endsWith(")") && !/%\(\w+\)s$/.test(w)) {
      closing++;
      w = w.slice(0, -1);
    }
    if (w) tokens.push(w);
    for (let i = 0; i < closing; i++) tokens.push(")");
  }
  return tokens;
}

/** The credentials a rule sees (oslo.context's `to_policy_values`). */
function credentials(context: RequestContext): Record<string, string | readonly string[] | boolean> {
  return {
    user_id: context.userId,
    project_id: context.projectId,
    roles: context.roles,
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
    case "match": {
      const creds = credentials(context);
      if (check.key === "role") {
        const role = interpolate(check.value, target).toLowerCase();
        return context.roles.some((r) => r.toLowerCase() === role);
      }
      // GenericCheck: the left side names a credential, the right side is a constant or %(target)s.
      const expected = interpolate(check.value, target);
      const actual = creds[check.key];
      if (typeof actual === "boolean") return String(actual) === expected || (expected === "True") === actual;
      if (Array.isArray(actual)) return actual.includes(expected);
      return actual !== undefined && actual === expected;
    }
  }
}

function interpolate(value: string, target: PolicyTarget): string {
  const m = /^%\((\w+)\)s$/.exec(value);
  if (!m) return value.replace(/^['"]|['"]$/g, "");
  return target[m[1]!] ?? "\0missing"; // a missing target key never matches
}
