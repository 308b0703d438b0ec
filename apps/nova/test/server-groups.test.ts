// Server groups end to end in the all-in-one (two fake computes): the API's group hint reaches the scheduler's
// affinity filters through the request spec the conductor completes with the members' hosts.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ComputeClient } from "@nova/client";
import { createLogger } from "@nova/runtime";
import { tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (running.length) await running.pop()?.();
});

async function start(): Promise<ComputeClient & { apiEndpoint: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "nova-sg-"));
  const aio = await createAllInOne({
    dataDir,
    apiPort: 0,
    env: { OS_DEFAULT__REPORT_INTERVAL: "1", OS_FAKE__HOST_COUNT: "2" },
    logger: createLogger("nova-test", { level: "warn" }),
  });
  const started: typeof aio.services = [];
  for (const s of aio.services) {
    await s.start();
    started.push(s);
  }
  running.push(async () => {
    for (const s of started.reverse()) await s.stop();
    await aio.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const endpoint = `http://127.0.0.1:${aio.apiPort()}/v2.1`;
  return Object.assign(new ComputeClient({ endpoint, token: "admin:admin" }), { apiEndpoint: endpoint });
}

const wait = { timeoutMs: 20_000, intervalMs: 50 };

async function createGroup(client: ComputeClient, policy: string): Promise<string> {
  const res = await client.request("POST", "/os-server-groups", {
    body: { server_group: { name: policy, policies: [policy] } },
  });
  return (res.body as { server_group: { id: string } }).server_group.id;
}

async function members(client: ComputeClient, id: string): Promise<string[]> {
  const res = await client.request("GET", `/os-server-groups/${id}`);
  return (res.body as { server_group: { members: string[] } }).server_group.members;
}

/** Boots one server into the group and waits for it to leave BUILD. */
async function bootInto(client: ComputeClient, group: string, name: string) {
  const created = await client.createServer({ name, flavorRef: "1", imageRef: DEFAULT_IMAGE_ID }, { group });
  for (;;) {
    const s = await client.getServer(created.id);
    if (s.status !== "BUILD") return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("server groups on a two-host deployment", () => {
  it("anti-affinity spreads two servers over both hosts and refuses a third with NoValidHost", async () => {
    const client = await start();
    const group = await createGroup(client, "anti-affinity");
    const a = await bootInto(client, group, "a");
    const b = await bootInto(client, group, "b");
    expect([a.status, b.status]).toEqual(["ACTIVE", "ACTIVE"]);
    const hosts = [a["OS-EXT-SRV-ATTR:host"], b["OS-EXT-SRV-ATTR:host"]];
    expect(new Set(hosts)).toEqual(new Set(["fake-1", "fake-2"]));
    const c = await bootInto(client, group, "c");
    expect(c.status).toBe("ERROR");
    expect(c.fault?.message).toMatch(/No valid host was found/);
    expect(new Set(await members(client, group))).toEqual(new Set([a.id, b.id, c.id]));
    // From 2.71 a server shows its group (tempest's 2.71 get_server schema).
    const raw = await client.with({ microversion: "2.71" }).request("GET", `/servers/${b.id}`);
    const shown = { status: raw.status, body: raw.body };
    expect((shown.body as { server: { server_groups: string[] } }).server.server_groups).toEqual([group]);
    // A deleted server leaves the group, and its host is free for the group again.
    await client.deleteServer(a.id);
    await client.waitForServerDeleted(a.id, wait);
    await client.deleteServer(c.id);
    await client.waitForServerDeleted(c.id, wait);
    expect(await members(client, group)).toEqual([b.id]);
    const d = await bootInto(client, group, "d");
    expect(d.status).toBe("ACTIVE");
    expect(d["OS-EXT-SRV-ATTR:host"]).toBe(a["OS-EXT-SRV-ATTR:host"]);
    // Last: the validation runs python synchronously, which would stall the in-process API mid-test.
    expect(
      tempestViolations([
        { client: "servers_client.ServersClient", schema: "get_server", version: "2.71", ...shown },
      ]),
    ).toEqual([]);
  }, 60_000);

  it("affinity keeps servers together on the first one's host", async () => {
    const client = await start();
    const group = await createGroup(client, "affinity");
    const first = await bootInto(client, group, "first");
    expect(first.status).toBe("ACTIVE");
    for (const name of ["second", "third"]) {
      const s = await bootInto(client, group, name);
      expect(s.status).toBe("ACTIVE");
      expect(s["OS-EXT-SRV-ATTR:host"]).toBe(first["OS-EXT-SRV-ATTR:host"]);
    }
  }, 60_000);

  it("refuses a boot into a group that does not exist with 400", async () => {
    const client = await start();
    const missing = "8b5a0a3e-2a49-4d4c-9a3c-6f0f4f6f7a11";
    await expect(
      client.createServer({ name: "x", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID }, { group: missing }),
    ).rejects.toMatchObject({ status: 400, message: `Instance group ${missing} could not be found.` });
  }, 30_000);

  // Debian's python3-openstackclient, as an operator uses it.
  it.runIf(existsSync("/usr/bin/openstack") || Boolean(process.env.NOVA_TEST_REQUIRE_SERVICES))(
    "answers openstackclient's server group create (2.1 and 2.64 with a rule), list, show and delete",
    async () => {
      const client = await start();
      const openstack = async (...args: string[]) => {
        const auth = ["--os-auth-type", "admin_token", "--os-token", "admin:admin"];
        const { stdout } = await promisify(execFile)("/usr/bin/openstack", [
          ...auth,
          "--os-endpoint",
          client.apiEndpoint,
          ...args,
        ]);
        return stdout.trim() ? JSON.parse(stdout) : undefined;
      };
      const created = await openstack(
        "server",
        "group",
        "create",
        "--policy",
        "anti-affinity",
        "spread",
        "-f",
        "json",
      );
      expect(created).toMatchObject({ name: "spread", policy: "anti-affinity" });
      const rules = await openstack(
        "--os-compute-api-version",
        "2.64",
        "server",
        "group",
        "create",
        "--policy",
        "anti-affinity",
        "--rule",
        "max_server_per_host=2",
        "two-per-host",
        "-f",
        "json",
      );
      expect(rules).toMatchObject({ policy: "anti-affinity", rules: { max_server_per_host: 2 } });
      const listed = await openstack("server", "group", "list", "-f", "json");
      expect(listed.map((g: { Name: string }) => g.Name).sort()).toEqual(["spread", "two-per-host"]);
      const server = await bootInto(client, created.id, "in-group");
      const shown = await openstack("server", "group", "show", created.id, "-f", "json");
      expect(shown.members).toContain(server.id);
      await openstack("server", "group", "delete", "two-per-host");
      const left = await openstack("server", "group", "list", "-f", "json");
      expect(left.map((g: { Name: string }) => g.Name)).toEqual(["spread"]);
    },
    120_000,
  );
});
