import { FAKE_IMAGE_ID } from "@nova/api/test";
import { tempestViolations } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;
type Env = Awaited<ReturnType<typeof startApi>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const HYPERVISOR_CLIENT = "hypervisor_client.HypervisorClient";

/** GET at a microversion as admin (or the given token); the status and parsed body. */
async function get(path: string, version = "2.1", token = "admin:admin") {
  const response = await env!.fetch(`/v2.1${path}`, {
    headers: { "X-Auth-Token": token, "OpenStack-API-Version": `compute ${version}` },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

async function startTwoHosts() {
  env = await startApi({ fake: { hosts: ["cpu-1", "cpu-2"] } });
  return env;
}

describe("os-hypervisors", () => {
  it("is admin only: every route answers a member 403 with its policy rule", async () => {
    await startTwoHosts();
    for (const [path, rule] of [
      ["/os-hypervisors", "list"],
      ["/os-hypervisors/detail", "list-detail"],
      ["/os-hypervisors/1", "show"],
      ["/os-hypervisors/statistics", "statistics"],
      ["/os-hypervisors/cpu/search", "search"],
      ["/os-hypervisors/cpu/servers", "servers"],
    ] as const) {
      const { status, body } = await get(path, "2.1", "carol:ca401");
      expect(status, path).toBe(403);
      expect(body.forbidden.message).toBe(
        `Policy doesn't allow os_compute_api:os-hypervisors:${rule} to be performed.`,
      );
    }
  });

  it("lists summaries with integer ids before 2.53 and uuids from 2.53", async () => {
    const e = await startTwoHosts();
    const old = await get("/os-hypervisors", "2.1");
    expect(old.status).toBe(200);
    expect(old.body).toEqual({
      hypervisors: [
        { id: 1, hypervisor_hostname: "cpu-1", state: "up", status: "enabled" },
        { id: 2, hypervisor_hostname: "cpu-2", state: "up", status: "enabled" },
      ],
    });
    const uuids = await get("/os-hypervisors", "2.53");
    expect(uuids.body.hypervisors.map((h: Json) => h.id)).toEqual(e.fake.computeNodes.map((n) => n.uuid));
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.1", ...old },
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.53", ...uuids },
      ]),
    ).toEqual([]);
  });

  it("shows details per microversion: cpu_info parsed from 2.28, uuids from 2.53, no resources and an uptime from 2.88", async () => {
    const e = await startTwoHosts();
    const [node] = e.fake.computeNodes;
    const service = e.fake.services.find((s) => s.host === "cpu-1" && s.binary === "nova-compute")!;
    const v21 = await get("/os-hypervisors/detail", "2.1");
    expect(v21.body.hypervisors[0]).toEqual({
      id: 1,
      hypervisor_hostname: "cpu-1",
      state: "up",
      status: "enabled",
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      host_ip: "192.168.1.1",
      service: { id: service.id, host: "cpu-1", disabled_reason: null },
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 100,
      vcpus_used: 0,
      memory_mb_used: 512,
      local_gb_used: 0,
      free_ram_mb: 15872,
      free_disk_gb: 100,
      current_workload: 0,
      running_vms: 0,
      disk_available_least: 100,
      cpu_info: node!.cpuInfo,
    });
    const v228 = await get("/os-hypervisors/detail", "2.28");
    expect(v228.body.hypervisors[0].cpu_info).toEqual(JSON.parse(node!.cpuInfo));
    const v253 = await get("/os-hypervisors/detail", "2.53");
    expect(v253.body.hypervisors[0].id).toBe(node!.uuid);
    expect(v253.body.hypervisors[0].service.id).toBe(service.uuid);
    const v287 = await get(`/os-hypervisors/${node!.uuid}`, "2.87");
    expect(v287.body.hypervisor.vcpus).toBe(8);
    expect(v287.body.hypervisor).not.toHaveProperty("uptime");
    const v288 = await get(`/os-hypervisors/${node!.uuid}`, "2.88");
    expect(v288.body.hypervisor).toEqual({
      id: node!.uuid,
      hypervisor_hostname: "cpu-1",
      state: "up",
      status: "enabled",
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      host_ip: "192.168.1.1",
      service: { id: service.uuid, host: "cpu-1", disabled_reason: null },
      uptime: null,
    });
    const show21 = await get("/os-hypervisors/2", "2.1");
    expect(show21.body.hypervisor.hypervisor_hostname).toBe("cpu-2");
    // Tempest has no 2.88 schema: its 2.53 one still requires the resource fields 2.88 removed.
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.1", ...v21 },
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.28", ...v228 },
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.53", ...v253 },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor", version: "2.87", ...v287 },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor", version: "2.1", ...show21 },
      ]),
    ).toEqual([]);
  });

  it("shows a disabled service's node as disabled and a forced-down one as down", async () => {
    const e = await startTwoHosts();
    const cpu1 = e.fake.services.find((s) => s.host === "cpu-1" && s.binary === "nova-compute")!;
    const cpu2 = e.fake.services.find((s) => s.host === "cpu-2" && s.binary === "nova-compute")!;
    cpu1.disabled = true;
    cpu1.disabledReason = "maintenance";
    cpu2.forcedDown = true;
    const { body } = await get("/os-hypervisors/detail", "2.53");
    expect(body.hypervisors.map((h: Json) => [h.status, h.state, h.service.disabled_reason])).toEqual([
      ["disabled", "up", "maintenance"],
      ["enabled", "down", null],
    ]);
  });

  it("pages from 2.33 with limit and marker and a next link, and ignores paging before", async () => {
    const e = await startTwoHosts();
    const first = await get("/os-hypervisors?limit=1", "2.33");
    expect(first.body.hypervisors.map((h: Json) => h.id)).toEqual([1]);
    expect(first.body.hypervisors_links).toEqual([
      { rel: "next", href: `${e.endpoint}/os-hypervisors?limit=1&marker=1` },
    ]);
    const second = await get("/os-hypervisors/detail?limit=1&marker=1", "2.33");
    expect(second.body.hypervisors.map((h: Json) => h.id)).toEqual([2]);
    const byUuid = await get(`/os-hypervisors?marker=${e.fake.computeNodes[0]!.uuid}`, "2.53");
    expect(byUuid.body.hypervisors.map((h: Json) => h.hypervisor_hostname)).toEqual(["cpu-2"]);
    const unknown = await get("/os-hypervisors?marker=99", "2.33");
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe("marker [99] not found");
    expect((await get("/os-hypervisors?limit=-1", "2.33")).status).toBe(400);
    const old = await get("/os-hypervisors?limit=1&marker=99", "2.32");
    expect(old.status).toBe(200);
    expect(old.body.hypervisors).toHaveLength(2);
    expect(old.body).not.toHaveProperty("hypervisors_links");
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.33", ...first },
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.33", ...second },
      ]),
    ).toEqual([]);
  });

  it("searches by hostname pattern and lists servers from 2.53 with query parameters", async () => {
    const e = await startTwoHosts();
    const server = await e.client().createServer({ name: "vm", flavorRef: "1", imageRef: FAKE_IMAGE_ID });
    e.fake.settle(server.id);
    const placed = await e.client().getServer(server.id);
    const host = placed["OS-EXT-SRV-ATTR:host"] as string;
    const instanceName = placed["OS-EXT-SRV-ATTR:instance_name"] as string;
    const match = await get(`/os-hypervisors?hypervisor_hostname_pattern=${host.slice(-1)}`, "2.53");
    expect(match.body.hypervisors.map((h: Json) => h.hypervisor_hostname)).toEqual([host]);
    const withServers = await get("/os-hypervisors/detail?with_servers=true", "2.53");
    const servers = Object.fromEntries(
      withServers.body.hypervisors.map((h: Json) => [h.hypervisor_hostname, h.servers]),
    );
    expect(servers[host]).toEqual([{ name: instanceName, uuid: server.id }]);
    // An empty host has no servers key at 2.53 and an empty list from 2.75.
    const other = host === "cpu-1" ? "cpu-2" : "cpu-1";
    expect(servers).toHaveProperty(other, undefined);
    const v275 = await get("/os-hypervisors?with_servers=1", "2.75");
    const empty = v275.body.hypervisors.find((h: Json) => h.hypervisor_hostname === other);
    expect(empty.servers).toEqual([]);
    const none = await get("/os-hypervisors?hypervisor_hostname_pattern=nohost", "2.53");
    expect(none.status).toBe(404);
    expect(none.body.itemNotFound.message).toBe("No hypervisor matching 'nohost' could be found.");
    const paged = await get("/os-hypervisors?hypervisor_hostname_pattern=cpu&limit=1", "2.53");
    expect(paged.status).toBe(400);
    expect(paged.body.badRequest.message).toBe(
      "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.",
    );
    expect((await get("/os-hypervisors?hypervisor_hostname_pattern=a%20b", "2.53")).status).toBe(400);
    expect((await get("/os-hypervisors?with_servers=maybe", "2.53")).status).toBe(400);
    const unknownParam = await get("/os-hypervisors?foo=1", "2.53");
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.badRequest.message).toBe(
      "Additional properties are not allowed ('foo' was unexpected)",
    );
    // Before 2.53 unknown parameters are ignored.
    expect((await get("/os-hypervisors?foo=1", "2.52")).status).toBe(200);
    const node = e.fake.computeNodes.find((n) => n.host === host)!;
    const shown = await get(`/os-hypervisors/${node.uuid}?with_servers=true`, "2.53");
    expect(shown.body.hypervisor.servers).toEqual([{ name: instanceName, uuid: server.id }]);
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.53", ...match },
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.53", ...withServers },
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.75", ...v275 },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor", version: "2.53", ...shown },
      ]),
    ).toEqual([]);
  });

  it("validates show ids: integers before 2.53 (else 404), uuids from 2.53 (else 400)", async () => {
    await startTwoHosts();
    const notInt = await get("/os-hypervisors/abc", "2.52");
    expect(notInt.status).toBe(404);
    expect(notInt.body.itemNotFound.message).toBe("Hypervisor with ID 'abc' could not be found.");
    const missing = await get("/os-hypervisors/42", "2.1");
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toBe("Hypervisor with ID '42' could not be found.");
    const notUuid = await get("/os-hypervisors/1", "2.53");
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.badRequest.message).toBe("Invalid uuid 1");
    const unknownUuid = await get("/os-hypervisors/9f3c4d2e-0000-4000-8000-000000000000", "2.53");
    expect(unknownUuid.status).toBe(404);
    expect((await get("/os-hypervisors/1?with_servers=true", "2.52")).status).toBe(200);
  });

  it("serves the search and servers routes until 2.52 and 404s them from 2.53", async () => {
    const e = await startTwoHosts();
    const search = await get("/os-hypervisors/cpu-2/search", "2.1");
    expect(search.body).toEqual({
      hypervisors: [{ id: 2, hypervisor_hostname: "cpu-2", state: "up", status: "enabled" }],
    });
    const servers = await get("/os-hypervisors/cpu/servers", "2.52");
    expect(servers.status).toBe(200);
    // No servers anywhere: the key is left out, as Nova leaves it out for an empty list here.
    expect(servers.body.hypervisors.every((h: Json) => !("servers" in h))).toBe(true);
    const none = await get("/os-hypervisors/zzz/search", "2.1");
    expect(none.status).toBe(404);
    expect(none.body.itemNotFound.message).toBe("No hypervisor matching 'zzz' could be found.");
    expect((await get("/os-hypervisors/cpu/search", "2.53")).status).toBe(404);
    expect((await get("/os-hypervisors/cpu/servers", "2.53")).status).toBe(404);
    expect(e.fake.calls.filter((c) => c.method === "listHypervisors")).toHaveLength(3);
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.1", ...search },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisors_servers", version: "2.52", ...servers },
      ]),
    ).toEqual([]);
  });

  it("sums statistics over enabled computes until 2.87 and 404s them from 2.88", async () => {
    const e = await startTwoHosts();
    const both = await get("/os-hypervisors/statistics", "2.87");
    expect(both.body.hypervisor_statistics).toEqual({
      count: 2,
      vcpus: 16,
      memory_mb: 32768,
      local_gb: 200,
      vcpus_used: 0,
      memory_mb_used: 1024,
      local_gb_used: 0,
      free_ram_mb: 31744,
      free_disk_gb: 200,
      current_workload: 0,
      running_vms: 0,
      disk_available_least: 200,
    });
    e.fake.services.find((s) => s.host === "cpu-2" && s.binary === "nova-compute")!.disabled = true;
    const one = await get("/os-hypervisors/statistics", "2.1");
    expect(one.body.hypervisor_statistics.count).toBe(1);
    expect(one.body.hypervisor_statistics.vcpus).toBe(8);
    expect((await get("/os-hypervisors/statistics", "2.88")).status).toBe(404);
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor_statistics", version: "2.87", ...both },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor_statistics", version: "2.1", ...one },
      ]),
    ).toEqual([]);
  });

  it("leaves out nodes whose compute service is gone", async () => {
    const e = await startTwoHosts();
    const at = e.fake.services.findIndex((s) => s.host === "cpu-1" && s.binary === "nova-compute");
    e.fake.services.splice(at, 1);
    const { body } = await get("/os-hypervisors", "2.1");
    expect(body.hypervisors.map((h: Json) => h.hypervisor_hostname)).toEqual(["cpu-2"]);
    expect((await get("/os-hypervisors/1", "2.1")).status).toBe(404);
  });
});
