import type { RequestContext } from "../request-context.js";
import { ADMIN, BASE_RULES, COMPUTE_RULES } from "./default-rules.js";
import {
  evaluatePolicyCheck,
  type PolicyCheck,
  type PolicyTarget,
  parsePolicyCheck,
} from "./policy-check.js";

/** Decides whether a caller may do what a named rule guards. */
export class PolicyEnforcer {
  private readonly rules = new Map<string, PolicyCheck>();

  /** Zed's defaults, then `overrides` (a policy file's rules, by name) over them. */
  constructor(overrides: Readonly<Record<string, string>> = {}) {
    for (const [name, text] of Object.entries({ ...BASE_RULES, ...COMPUTE_RULES, ...overrides })) {
      this.rules.set(name, parsePolicyCheck(text));
    }
  }

  /** Whether `context` passes `rule` for `target` (default: the caller's own project and user). */
  allows(context: RequestContext, rule: string, target?: PolicyTarget): boolean {
    // A rule nobody registered is admin-only rather than open: a typo must not grant access.
    const check = this.rules.get(rule) ?? parsePolicyCheck(ADMIN);
    const t = target ?? { project_id: context.projectId, user_id: context.userId };
    return evaluatePolicyCheck(check, context, t, (name) => this.rules.get(name));
  }
}
