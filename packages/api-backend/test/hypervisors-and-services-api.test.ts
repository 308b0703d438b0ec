import { tempestViolations } from "@nova/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestBackend, startTestApi } from "./test-databases.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

const HYPERVISOR_CLIENT = "hypervisor_client.HypervisorClient";
const SERVICES_CLIENT = "services_client.ServicesClient";

/** nova-api over DbComputeBackend over SQLite cell and API databases: two computes and a conductor. */
async function harness() {
  const env = await openTestBackend();
  const { clock, apiDb, cellDb, cellUuid } = env;
  const computes = [];
  for (const host of ["cpu-1", "cpu-2"]) {
    const svc = await cellDb.services.create({ host, binary: "nova-compute", topic: "compute" });
    await cellDb.services.heartbeat(svc.id);
    await apiDb.mappings.mapHost(host, cellUuid);
    const node = await cellDb.computeNodes.create({
      host,
      hypervisor_hostname: `${host}.example.org`,
      service_id: svc.id,
      vcpus: 4,
      memory_mb: 8192,
      local_gb: 100,
      hypervisor_type: "QEMU",
      hypervisor_version: 8002000,
      host_ip: "10.0.0.1",
      cpu_info: JSON.stringify({ arch: "x86_64", model: "Nehalem" }),
      disk_available_least: 90,
    });
    computes.push({ svc, node });
  }
  const conductor = await cellDb.services.create({
    host: "ctl",
    binary: "nova-conductor",
    topic: "conductor",
  });
  const { request, close } = await startTestApi(env);
  const call = (method: string, path: string, version: string, body?: unknown) =>
    request(method, path, { version, body });
  return {
    clock,
    apiDb,
    cellDb,
    computes,
    conductor,
    call,
    close,
  };
}

describe("os-hypervisors and os-services changes over the cell database", () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it("lists, pages, searches and shows compute nodes with their services' state", async () => {
    const [cpu1, cpu2] = h.computes;
    const detail = await h.call("GET", "/os-hypervisors/detail", "2.28");
    expect(detail.body.hypervisors[0]).toMatchObject({
      id: cpu1!.node.id,
      hypervisor_hostname: "cpu-1.example.org",
      state: "up",
      status: "enabled",
      hypervisor_type: "QEMU",
      hypervisor_version: 8002000,
      host_ip: "10.0.0.1",
      service: { id: cpu1!.svc.id, host: "cpu-1", disabled_reason: null },
      vcpus: 4,
      memory_mb: 8192,
      free_ram_mb: 8192,
      disk_available_least: 90,
      cpu_info: { arch: "x86_64", model: "Nehalem" },
    });
    const page = await h.call("GET", "/os-hypervisors?limit=1", "2.53");
    expect(page.body.hypervisors.map((x: Json) => x.id)).toEqual([cpu1!.node.uuid]);
    expect(page.body.hypervisors_links[0].href).toContain(`marker=${cpu1!.node.uuid}`);
    const next = await h.call("GET", `/os-hypervisors?limit=1&marker=${cpu1!.node.uuid}`, "2.53");
    expect(next.body.hypervisors.map((x: Json) => x.id)).toEqual([cpu2!.node.uuid]);
    const byId = await h.call("GET", `/os-hypervisors?marker=${cpu1!.node.id}`, "2.33");
    expect(byId.body.hypervisors.map((x: Json) => x.id)).toEqual([cpu2!.node.id]);
    expect((await h.call("GET", "/os-hypervisors?marker=999", "2.33")).status).toBe(400);
    // LIKE '%pattern%': case-insensitive, `_` matches any one character.
    const search = await h.call("GET", "/os-hypervisors?hypervisor_hostname_pattern=CPU_2", "2.53");
    expect(search.body.hypervisors.map((x: Json) => x.hypervisor_hostname)).toEqual(["cpu-2.example.org"]);
    const old = await h.call("GET", "/os-hypervisors/example/search", "2.1");
    expect(old.body.hypervisors).toHaveLength(2);
    const show = await h.call("GET", `/os-hypervisors/${cpu2!.node.uuid}`, "2.88");
    expect(show.body.hypervisor).toEqual({
      id: cpu2!.node.uuid,
      hypervisor_hostname: "cpu-2.example.org",
      state: "up",
      status: "enabled",
      hypervisor_type: "QEMU",
      hypervisor_version: 8002000,
      host_ip: "10.0.0.1",
      service: { id: cpu2!.svc.uuid, host: "cpu-2", disabled_reason: null },
      uptime: null,
    });
    expect((await h.call("GET", `/os-hypervisors/${cpu2!.node.id}`, "2.1")).body.hypervisor.id).toBe(
      cpu2!.node.id,
    );
    expect((await h.call("GET", "/os-hypervisors/4242", "2.1")).status).toBe(404);
    // A node whose host lost its service is left out of lists and not found by id.
    await h.cellDb.services.destroy(cpu2!.svc.id);
    const orphan = await h.cellDb.computeNodes.create({
      host: "cpu-9",
      hypervisor_hostname: "cpu-9",
      vcpus: 1,
      memory_mb: 1,
      local_gb: 1,
      hypervisor_type: "QEMU",
      hypervisor_version: 1,
    });
    const listed = await h.call("GET", "/os-hypervisors", "2.1");
    expect(listed.body.hypervisors.map((x: Json) => x.id)).toEqual([cpu1!.node.id]);
    expect((await h.call("GET", `/os-hypervisors/${orphan.uuid}`, "2.53")).status).toBe(404);
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "list_hypervisors_detail", version: "2.28", ...detail },
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.53", ...page },
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.53", ...search },
        { client: HYPERVISOR_CLIENT, schema: "list_search_hypervisors", version: "2.1", ...old },
      ]),
    ).toEqual([]);
  });

  it("lists a host's servers by instance name and sums statistics over enabled computes", async () => {
    const [cpu1, cpu2] = h.computes;
    const instance = await h.cellDb.instances.create({
      uuid: "0b5e1f3a-8a47-4c6e-9d1a-2f6f0c1e9b01",
      project_id: "p1",
      user_id: "u1",
      host: "cpu-1",
      node: "cpu-1.example.org",
      vm_state: "active",
      display_name: "web",
    } as never);
    const servers = await h.call("GET", "/os-hypervisors/cpu/servers", "2.1");
    expect(servers.body.hypervisors[0].servers).toEqual([
      { name: `instance-${instance.id.toString(16).padStart(8, "0")}`, uuid: instance.uuid },
    ]);
    expect(servers.body.hypervisors[1]).not.toHaveProperty("servers");
    await h.cellDb.computeNodes.claim(cpu1!.node.uuid, { vcpus: 2, memory_mb: 1024, local_gb: 10 });
    const stats = await h.call("GET", "/os-hypervisors/statistics", "2.1");
    expect(stats.body.hypervisor_statistics).toMatchObject({
      count: 2,
      vcpus: 8,
      vcpus_used: 2,
      memory_mb: 16384,
      memory_mb_used: 1024,
      free_ram_mb: 15360,
      local_gb_used: 10,
      running_vms: 1,
      disk_available_least: 180,
    });
    await h.cellDb.services.update(cpu2!.svc.id, { disabled: true });
    const one = await h.call("GET", "/os-hypervisors/statistics", "2.87");
    expect(one.body.hypervisor_statistics).toMatchObject({ count: 1, vcpus: 4 });
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisors_servers", version: "2.1", ...servers },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor_statistics", version: "2.1", ...stats },
      ]),
    ).toEqual([]);
  });

  it("disables and forces down a compute by uuid (2.53) and by host and binary (legacy); forced down reads as down", async () => {
    const [cpu1, cpu2] = h.computes;
    const updated = await h.call("PUT", `/os-services/${cpu1!.svc.uuid}`, "2.53", {
      status: "disabled",
      disabled_reason: "rack move",
      forced_down: true,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.service).toMatchObject({
      id: cpu1!.svc.uuid,
      status: "disabled",
      state: "down",
      disabled_reason: "rack move",
      forced_down: true,
    });
    expect(await h.cellDb.services.get(cpu1!.svc.id)).toMatchObject({
      disabled: true,
      disabled_reason: "rack move",
      forced_down: true,
    });
    const hyp = await h.call("GET", `/os-hypervisors/${cpu1!.node.uuid}`, "2.53");
    expect(hyp.body.hypervisor).toMatchObject({ state: "down", status: "disabled" });
    const legacy = await h.call("PUT", "/os-services/disable-log-reason", "2.11", {
      host: "cpu-2",
      binary: "nova-compute",
      disabled_reason: "disk",
    });
    expect(legacy.body).toEqual({
      service: { host: "cpu-2", binary: "nova-compute", status: "disabled", disabled_reason: "disk" },
    });
    expect((await h.cellDb.services.get(cpu2!.svc.id)).disabled_reason).toBe("disk");
    const up = await h.call("PUT", "/os-services/force-down", "2.11", {
      host: "cpu-1",
      binary: "nova-compute",
      forced_down: false,
    });
    expect(up.body.service.forced_down).toBe(false);
    const list = await h.call("GET", "/os-services?binary=nova-compute", "2.11");
    expect(list.body.services.map((s: Json) => [s.host, s.state, s.status])).toEqual([
      ["cpu-1", "up", "disabled"],
      ["cpu-2", "up", "disabled"],
    ]);
    const conductor = await h.call("PUT", `/os-services/${h.conductor.uuid}`, "2.53", { status: "disabled" });
    expect(conductor.status).toBe(400);
    expect(
      tempestViolations([
        { client: SERVICES_CLIENT, schema: "update_service", version: "2.53", ...updated },
        { client: SERVICES_CLIENT, schema: "disable_log_reason", version: "2.11", ...legacy },
        { client: SERVICES_CLIENT, schema: "update_forced_down", version: "2.11", ...up },
        { client: SERVICES_CLIENT, schema: "list_services", version: "2.11", ...list },
      ]),
    ).toEqual([]);
  });

  it("deletes a compute service with its compute nodes and host mapping, unless it hosts servers", async () => {
    const [cpu1, cpu2] = h.computes;
    await h.cellDb.instances.create({
      uuid: "0b5e1f3a-8a47-4c6e-9d1a-2f6f0c1e9b02",
      project_id: "p1",
      user_id: "u1",
      host: "cpu-1",
      node: "cpu-1.example.org",
      vm_state: "active",
    } as never);
    const busy = await h.call("DELETE", `/os-services/${cpu1!.svc.uuid}`, "2.53");
    expect(busy.status).toBe(409);
    expect((await h.cellDb.services.list()).map((s) => s.host)).toContain("cpu-1");
    const gone = await h.call("DELETE", `/os-services/${cpu2!.svc.id}`, "2.1");
    expect(gone.status).toBe(204);
    expect((await h.cellDb.services.list()).map((s) => s.host)).toEqual(["cpu-1", "ctl"]);
    expect((await h.cellDb.computeNodes.list()).map((n) => n.host)).toEqual(["cpu-1"]);
    await expect(h.apiDb.mappings.getHostMapping("cpu-2")).rejects.toMatchObject({ code: "DB_NOT_FOUND" });
    const again = await h.call("DELETE", `/os-services/${cpu2!.svc.uuid}`, "2.53");
    expect(again.status).toBe(404);
    expect(again.body.itemNotFound.message).toBe(`Service ${cpu2!.svc.uuid} not found.`);
    // A deleted service's host can register again.
    await h.cellDb.services.create({ host: "cpu-2", binary: "nova-compute", topic: "compute" });
  });
});
