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
});
