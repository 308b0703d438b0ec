import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiServer } from "@nova/api";
import { FakeComputeBackend } from "@nova/api/test";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { MemoryLogger } from "@nova/core/test";
import { afterEach, describe, expect, it } from "vitest";
import { findPolicyFile, loadPolicy, readPolicyFile } from "./policy-file.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A config dir holding nova.conf (with `conf`) and the given files; returns the loaded config. */
function setup(conf: string, files: Record<string, string> = {}) {
  dir = mkdtempSync(join(tmpdir(), "nova-policy-"));
  writeFileSync(join(dir, "nova.conf"), conf);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadNovaConfig({ files: [join(dir, "nova.conf")] });
}

const member = {
  userId: "carol",
  projectId: "p1",
  isAdmin: false,
  roles: ["member", "reader"],
  requestId: "req-1",
  remoteAddress: "127.0.0.1",
};

describe("[oslo_policy] policy_file", () => {
  it("finds policy.yaml beside nova.conf and applies its rules over Zed's defaults", () => {
    const config = setup("", { "policy.yaml": '"os_compute_api:os-services:list": "role:member"\n' });
    expect(config.oslo_policy).toEqual({
      policy_file: "policy.yaml",
      enforce_scope: false,
      enforce_new_defaults: false,
    });
    expect(findPolicyFile(config, [dir])).toBe(join(dir, "policy.yaml"));
    const policy = loadPolicy(config, [dir]);
    expect(policy.allows(member, "os_compute_api:os-services:list")).toBe(true);
    expect(policy.allows(member, "os_compute_api:os-hypervisors:list")).toBe(false);
  });

  it("without the default file there are no overrides; a named file that is missing stops the start", () => {
    const config = setup("");
    expect(findPolicyFile(config, [dir])).toBeUndefined();
    expect(loadPolicy(config, [dir]).allows(member, "os_compute_api:os-services:list")).toBe(false);
    const named = setup("[oslo_policy]\npolicy_file = custom.yaml\n");
    expect(() => findPolicyFile(named, [dir])).toThrow(ConfigError);
    expect(() => findPolicyFile(named, [dir])).toThrow("The policy file custom.yaml could not be found.");
  });

  it("reads JSON, treats an empty file as no rules, and refuses what is not a mapping of strings", () => {
    setup("", {
      "p.json": '{"a": "role:x", "b": "@"}',
      "empty.yaml": "",
      "list.yaml": "- role:x\n",
      "nested.yaml": "a:\n  b: c\n",
    });
    expect(readPolicyFile(join(dir, "p.json"))).toEqual({ a: "role:x", b: "@" });
    expect(readPolicyFile(join(dir, "empty.yaml"))).toEqual({});
    expect(() => readPolicyFile(join(dir, "list.yaml"))).toThrow(ConfigError);
    expect(() => readPolicyFile(join(dir, "nested.yaml"))).toThrow("rule a is not a string");
  });

  it("enforce_new_defaults drops the legacy owner alternative", () => {
    const config = setup("[oslo_policy]\nenforce_new_defaults = true\nenforce_scope = true\n");
    const policy = loadPolicy(config, [dir]);
    expect(policy.options).toEqual({ enforceNewDefaults: true, enforceScope: true });
    const roleless = { ...member, roles: [] };
    expect(policy.allows(roleless, "project_member_or_admin", { project_id: "p1" })).toBe(false);
    expect(
      loadPolicy(setup(""), [dir]).allows(roleless, "project_member_or_admin", { project_id: "p1" }),
    ).toBe(true);
  });

  it("an API served with a policy file letting members list services answers a member 200", async () => {
    const config = setup("", {
      "policy.yaml": "os_compute_api:os-services:list: role:member or rule:admin_api\n",
    });
    const api = createApiServer({
      backend: new FakeComputeBackend(),
      logger: new MemoryLogger(),
      policy: loadPolicy(config, [dir]),
    });
    const { port } = await api.listen(0, "127.0.0.1");
    try {
      const get = (token: string, path = "/v2.1/os-services") =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers: { "X-Auth-Token": token } });
      const listed = await get("carol:p1");
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { services: unknown[] }).services.length).toBeGreaterThan(0);
      // Rules the file leaves alone keep Zed's defaults.
      expect((await get("carol:p1", "/v2.1/os-hypervisors")).status).toBe(403);
    } finally {
      await api.close();
    }
  });
});
