import { describe, expect, it } from "vitest";
import type { RequestContext } from "../request-context.js";
import { parsePolicyCheck } from "./policy-check.js";
import { PolicyEnforcer } from "./policy-enforcer.js";

function ctx(roles: string[], projectId = "p1"): RequestContext {
  return {
    userId: "u1",
    projectId,
    isAdmin: roles.includes("admin"),
    roles,
    requestId: "req-1",
    remoteAddress: "127.0.0.1",
  };
}

describe("oslo.policy rule syntax", () => {
  it("parses and/or/not with parentheses, @ and !", () => {
    expect(parsePolicyCheck("@")).toEqual({ kind: "true" });
    expect(parsePolicyCheck("!")).toEqual({ kind: "false" });
    expect(parsePolicyCheck("role:a or (role:b and not role:c)")).toEqual({
      kind: "or",
      checks: [
        { kind: "match", key: "role", value: "a" },
        {
          kind: "and",
          checks: [
            { kind: "match", key: "role", value: "b" },
            { kind: "not", check: { kind: "match", key: "role", value: "c" } },
          ],
        },
      ],
    });
  });

  it("Zed's defaults: admin-only rules refuse members; project rules follow the target's project", () => {
    const policy = new PolicyEnforcer({ "test:owner": "rule:project_member_or_admin" });
    expect(policy.allows(ctx(["admin"]), "os_compute_api:os-services:list")).toBe(true);
    expect(policy.allows(ctx(["member", "reader"]), "os_compute_api:os-services:list")).toBe(false);
    expect(policy.allows(ctx(["member"]), "test:owner", { project_id: "p1" })).toBe(true);
    expect(policy.allows(ctx(["member"]), "test:owner", { project_id: "p2" })).toBe(false);
    expect(policy.allows(ctx(["admin"], "p9"), "test:owner", { project_id: "p2" })).toBe(true);
  });

  it("keeps %(target)s whole inside parentheses", () => {
    const policy = new PolicyEnforcer({ "test:p": "(role:member and project_id:%(project_id)s)" });
    expect(policy.allows(ctx(["member"]), "test:p", { project_id: "p1" })).toBe(true);
    expect(policy.allows(ctx(["member"]), "test:p", { project_id: "p2" })).toBe(false);
  });

  it("an unknown rule is admin-only; an override replaces a default", () => {
    expect(new PolicyEnforcer().allows(ctx(["member"]), "no:such:rule")).toBe(false);
    const open = new PolicyEnforcer({ "os_compute_api:os-services:list": "role:member" });
    expect(open.allows(ctx(["member"]), "os_compute_api:os-services:list")).toBe(true);
  });

  it("fails a rule it cannot parse as a whole, as oslo.policy", () => {
    const rules = [
      "(role:member",
      "role:member or",
      "role:member)",
      "'role:member'",
      "role:member role:reader",
      " ",
    ];
    for (const rule of rules) expect(parsePolicyCheck(rule)).toEqual({ kind: "false" });
    expect(parsePolicyCheck("")).toEqual({ kind: "true" });
    // A word without ":" is a check that fails, not a syntax error: the alternative still passes.
    const policy = new PolicyEnforcer({ "t:a": "nonsense or role:member", "t:b": "(role:member" });
    expect(policy.allows(ctx(["member"]), "t:a")).toBe(true);
    expect(policy.allows(ctx(["member"]), "t:b")).toBe(false);
  });

  it("binds not before and before or; keywords in any case", () => {
    const policy = new PolicyEnforcer({
      "t:prec": "role:x OR role:member AND NOT role:reader",
      "t:not": "not role:x and role:member",
    });
    expect(policy.allows(ctx(["member", "reader"]), "t:prec")).toBe(false);
    expect(policy.allows(ctx(["member"]), "t:prec")).toBe(true);
    expect(policy.allows(ctx(["x", "reader"]), "t:prec")).toBe(true);
    expect(policy.allows(ctx(["member"]), "t:not")).toBe(true);
    expect(policy.allows(ctx(["member", "x"]), "t:not")).toBe(false);
  });

  it("role checks ignore case and take %(target)s; the check kind itself is case-sensitive", () => {
    const policy = new PolicyEnforcer({
      "t:upper": "role:MEMBER",
      "t:target": "role:%(needed)s",
      "t:kind": "Role:member",
    });
    expect(policy.allows(ctx(["Member"]), "t:upper")).toBe(true);
    expect(policy.allows(ctx(["member"]), "t:target", { needed: "Member" })).toBe(true);
    expect(policy.allows(ctx(["member"]), "t:target", { needed: "admin" })).toBe(false);
    expect(policy.allows(ctx(["member"]), "t:target", {})).toBe(false);
    expect(policy.allows(ctx(["member"]), "t:kind")).toBe(false);
  });

  it("generic checks: credentials by dotted path, Python literals on the left, %(key)s anywhere on the right", () => {
    const policy = new PolicyEnforcer({
      "t:literal": "True:%(enabled)s",
      "t:quoted": "'Member':%(role_name)s",
      "t:number": "42:%(n)s",
      "t:prefix": "project_id:tenant-%(suffix)s",
      "t:percent": "'50%':%(share)s%%",
      "t:list": "roles:reader",
      "t:none": "user_domain_id:None",
      "t:bool": "is_admin_project:True",
      "t:path": "roles.name:reader",
      "t:case": "project_id:P1",
    });
    const c = ctx(["member", "reader"], "tenant-7");
    expect(policy.allows(c, "t:literal", { enabled: "True" })).toBe(true);
    expect(policy.allows(c, "t:literal", { enabled: "true" })).toBe(false);
    expect(policy.allows(c, "t:quoted", { role_name: "Member" })).toBe(true);
    expect(policy.allows(c, "t:number", { n: "42" })).toBe(true);
    expect(policy.allows(c, "t:prefix", { suffix: "7" })).toBe(true);
    expect(policy.allows(c, "t:prefix", { suffix: "8" })).toBe(false);
    expect(policy.allows(c, "t:prefix", {})).toBe(false);
    expect(policy.allows(c, "t:percent", { share: "50" })).toBe(true);
    expect(policy.allows(c, "t:list")).toBe(true);
    expect(policy.allows(c, "t:none")).toBe(true);
    expect(policy.allows(c, "t:bool")).toBe(true);
    expect(policy.allows(c, "t:path")).toBe(false);
    expect(policy.allows(ctx(["member"], "p1"), "t:case")).toBe(false);
  });

  it("is_admin is Nova's own check: true in any case, anything else expects a non-admin", () => {
    const policy = new PolicyEnforcer({
      "t:yes": "is_admin:true",
      "t:no": "is_admin:False",
      "t:odd": "is_admin:xyz",
    });
    expect(policy.allows(ctx(["admin"]), "t:yes")).toBe(true);
    expect(policy.allows(ctx(["member"]), "t:yes")).toBe(false);
    expect(policy.allows(ctx(["member"]), "t:no")).toBe(true);
    expect(policy.allows(ctx(["admin"]), "t:no")).toBe(false);
    expect(policy.allows(ctx(["member"]), "t:odd")).toBe(true);
  });

  it("nested rules resolve by name; an unknown or self-referencing rule denies", () => {
    const policy = new PolicyEnforcer({
      "t:outer": "rule:t:inner and not rule:t:banned",
      "t:inner": "role:member",
      "t:banned": "user_id:u9",
      "t:unknown": "rule:no-such-rule",
      "t:loop": "rule:t:loop or role:nobody",
    });
    expect(policy.allows(ctx(["member"]), "t:outer")).toBe(true);
    expect(policy.allows({ ...ctx(["member"]), userId: "u9" }, "t:outer")).toBe(false);
    expect(policy.allows(ctx(["admin"]), "t:unknown")).toBe(false);
    expect(policy.allows(ctx(["admin"]), "t:loop")).toBe(false);
  });
});

describe("Zed's deprecated defaults and enforce_new_defaults", () => {
  // A project user with no role at all: only the legacy admin_or_owner rule lets it in.
  const roleless = ctx([]);

  it("by default the legacy admin_or_owner alternative still passes", () => {
    const policy = new PolicyEnforcer();
    expect(policy.allows(roleless, "project_member_or_admin", { project_id: "p1" })).toBe(true);
    expect(policy.allows(roleless, "project_member_or_admin", { project_id: "p2" })).toBe(false);
    expect(policy.allows(roleless, "os_compute_api:os-services:list")).toBe(false);
  });

  it("enforce_new_defaults drops it: the member role is required", () => {
    const policy = new PolicyEnforcer({}, { enforceNewDefaults: true });
    expect(policy.options.enforceNewDefaults).toBe(true);
    expect(policy.allows(roleless, "project_member_or_admin", { project_id: "p1" })).toBe(false);
    expect(policy.allows(ctx(["member"]), "project_member_or_admin", { project_id: "p1" })).toBe(true);
    expect(policy.allows(ctx(["admin"], "p9"), "project_member_or_admin", { project_id: "p1" })).toBe(true);
  });

  it("a file setting a rule's deprecated name overrides the new rule, unless it sets the new name too", () => {
    const old = new PolicyEnforcer({ "os_compute_api:os-services": "role:member" });
    expect(old.allows(ctx(["member"]), "os_compute_api:os-services:list")).toBe(true);
    const both = new PolicyEnforcer({
      "os_compute_api:os-services": "role:member",
      "os_compute_api:os-services:list": "role:admin",
    });
    expect(both.allows(ctx(["member"]), "os_compute_api:os-services:list")).toBe(false);
  });
});
