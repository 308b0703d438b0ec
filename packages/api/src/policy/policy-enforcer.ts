import type { RequestContext } from "../request-context.js";
import { ADMIN, BASE_RULES, COMPUTE_RULES, DEPRECATED_RULES } from "./default-rules.js";
import {
  evaluatePolicyCheck,
  type PolicyCheck,
  type PolicyTarget,
  parsePolicyCheck,
} from "./policy-check.js";

/** `[oslo_policy]` options the enforcer follows (Zed's defaults: both false). */
export interface PolicyEnforcerOptions {
  /**
   * `enforce_new_defaults`: when true, a rule's deprecated default no longer passes alongside the new one (the
   * legacy `admin_or_owner` alternative drops: a project member without the `member` role is refused).
   */
  readonly enforceNewDefaults?: boolean;
  /**
   * `enforce_scope`: compare the token's scope with each rule's `scope_types`. Every compute rule of Zed is
   * project-scoped, so a system- or domain-scoped Keystone token passes none of them (noauth2 tokens are
   * always project-scoped); when false, as oslo.policy, the scope is not looked at.
   */
  readonly enforceScope?: boolean;
}

/** Decides whether a caller may do what a named rule guards. */
export class PolicyEnforcer {
  private readonly rules = new Map<string, PolicyCheck>();
  private readonly fallback = parsePolicyCheck(ADMIN);
  /** The options in effect. */
  readonly options: Required<PolicyEnforcerOptions>;

  /**
   * Zed's defaults, then `overrides` (a policy file's rules, by name) over them, combined as oslo.policy does:
   * a rule the file sets replaces its default; a file that sets only a rule's deprecated name overrides the new
   * rule; otherwise, unless `enforceNewDefaults`, the new default is ORed with the deprecated one.
   */
  constructor(overrides: Readonly<Record<string, string>> = {}, options: PolicyEnforcerOptions = {}) {
    this.options = {
      enforceNewDefaults: options.enforceNewDefaults ?? false,
      enforceScope: options.enforceScope ?? false,
    };
    const overridden = (name: string) => Object.hasOwn(overrides, name);
    for (const [name, text] of Object.entries(overrides)) this.rules.set(name, parsePolicyCheck(text));
    for (const [name, text] of Object.entries({ ...BASE_RULES, ...COMPUTE_RULES })) {
      if (overridden(name)) continue;
      const deprecated = DEPRECATED_RULES[name];
      if (deprecated === undefined) {
        this.rules.set(name, parsePolicyCheck(text));
        continue;
      }
      const oldOverride = overridden(deprecated.name) ? overrides[deprecated.name] : undefined;
      if (oldOverride !== undefined && oldOverride !== deprecated.check && oldOverride !== `rule:${name}`) {
        this.rules.set(name, parsePolicyCheck(oldOverride));
      } else if (!this.options.enforceNewDefaults && deprecated.check !== text) {
        this.rules.set(name, {
          kind: "or",
          checks: [parsePolicyCheck(text), parsePolicyCheck(deprecated.check)],
        });
      } else {
        this.rules.set(name, parsePolicyCheck(text));
      }
    }
  }

  /** Whether `context` passes `rule` for `target` (default: the caller's own project and user). */
  allows(context: RequestContext, rule: string, target?: PolicyTarget): boolean {
    // A rule nobody registered is admin-only rather than open: a typo must not grant access.
    const check = this.rules.get(rule) ?? this.fallback;
    // oslo.policy's InvalidScope, which Nova answers as a policy failure: Zed scopes every compute rule to
    // projects (nova/policies/*.py `scope_types=['project']`); base rules have no scope.
    const projectScoped = context.systemScope === undefined && context.domainId === undefined;
    if (this.options.enforceScope && !projectScoped && Object.hasOwn(COMPUTE_RULES, rule)) return false;
    const t = target ?? { project_id: context.projectId, user_id: context.userId };
    return evaluatePolicyCheck(check, context, t, (name) => this.rules.get(name));
  }
}
