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
const UPTIME = " 08:32:11 up 93 days, 18:25, 12 users,  load average: 0.20, 0.12, 0.14";

async function get(path: string, version = "2.1", token = "admin:admin") {
  const response = await env!.fetch(`/v2.1${path}`, {
    headers: { "X-Auth-Token": token, "OpenStack-API-Version": `compute ${version}` },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

describe("GET /os-hypervisors/{id}/uptime", () => {
  it("shows the host's uptime by id before 2.53 and by uuid from 2.53 to 2.87", async () => {
    env = await startApi({ fake: { hosts: ["cpu-1", "cpu-2"] } });
    env.fake.uptimes.set("cpu-2", UPTIME);
    const node = env.fake.computeNodes.find((n) => n.host === "cpu-2")!;
    const old = await get(`/os-hypervisors/${node.id}/uptime`);
    expect(old).toEqual({
      status: 200,
      body: {
        hypervisor: {
          id: node.id,
          hypervisor_hostname: node.hypervisorHostname,
          state: "up",
          status: "enabled",
          uptime: UPTIME,
        },
      },
    });
    const last = await get(`/os-hypervisors/${node.uuid}/uptime`, "2.87");
    expect(last.status).toBe(200);
    expect(last.body.hypervisor.id).toBe(node.uuid);
    expect(
      tempestViolations([
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor_uptime", version: "2.1", ...old },
        { client: HYPERVISOR_CLIENT, schema: "get_hypervisor_uptime", version: "2.87", ...last },
      ]),
    ).toEqual([]);
  });

  it("is gone from 2.88, admin only, 404 for an unknown node, 400 for a non-uuid from 2.53, 501 without uptime", async () => {
    env = await startApi({ fake: { hosts: ["cpu-1"] } });
    const node = env.fake.computeNodes[0]!;
    expect((await get(`/os-hypervisors/${node.uuid}/uptime`, "2.88")).status).toBe(404);
    const member = await get(`/os-hypervisors/${node.id}/uptime`, "2.1", "carol:ca401");
    expect(member.status).toBe(403);
    expect(member.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-hypervisors:uptime to be performed.",
    );
    const unknown = await get("/os-hypervisors/999/uptime");
    expect(unknown.status).toBe(404);
    expect(unknown.body.itemNotFound.message).toBe("Hypervisor with ID '999' could not be found.");
    expect((await get("/os-hypervisors/1/uptime", "2.53")).status).toBe(400);
    const unsupported = await get(`/os-hypervisors/${node.id}/uptime`);
    expect(unsupported.status).toBe(501);
    expect(unsupported.body.notImplemented.message).toBe("The requested functionality is not supported.");
  });
});
