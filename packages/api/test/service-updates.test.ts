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

const SERVICES_CLIENT = "services_client.ServicesClient";

async function call(method: string, path: string, version: string, body?: unknown, token = "admin:admin") {
  const response = await env!.fetch(`/v2.1${path}`, {
    method,
    headers: {
      "X-Auth-Token": token,
      "OpenStack-API-Version": `compute ${version}`,
      "Content-Type": "application/json",
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

async function start() {
  env = await startApi({ fake: { hosts: ["cpu-1", "cpu-2"] } });
  const compute = (host: string) =>
    env!.fake.services.find((s) => s.host === host && s.binary === "nova-compute")!;
  return { env, compute };
}

describe("os-services updates", () => {
  it("is admin only: PUT and DELETE answer a member 403 with their policy rules", async () => {
    const { compute } = await start();
    const put = await call(
      "PUT",
      `/os-services/${compute("cpu-1").uuid}`,
      "2.53",
      { status: "disabled" },
      "carol:ca401",
    );
    expect(put.status).toBe(403);
    expect(put.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-services:update to be performed.",
    );
    const legacy = await call(
      "PUT",
      "/os-services/disable",
      "2.1",
      { host: "cpu-1", binary: "nova-compute" },
      "carol:ca401",
    );
    expect(legacy.status).toBe(403);
    const del = await call(
      "DELETE",
      `/os-services/${compute("cpu-1").uuid}`,
      "2.53",
      undefined,
      "carol:ca401",
    );
    expect(del.status).toBe(403);
    expect(del.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-services:delete to be performed.",
    );
    expect(compute("cpu-1").disabled).toBe(false);
  });

  it("updates status, reason and forced_down by uuid from 2.53, and a forced-down service reads as down", async () => {
    const { env, compute } = await start();
    const uuid = compute("cpu-1").uuid;
    const disabled = await call("PUT", `/os-services/${uuid}`, "2.53", {
      status: "disabled",
      disabled_reason: "maintenance",
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.service).toMatchObject({
      id: uuid,
      binary: "nova-compute",
      host: "cpu-1",
      status: "disabled",
      state: "up",
      disabled_reason: "maintenance",
      forced_down: false,
    });
    const forced = await call("PUT", `/os-services/${uuid}`, "2.53", { forced_down: true });
    expect(forced.body.service).toMatchObject({ state: "down", forced_down: true, status: "disabled" });
    const listed = await call("GET", "/os-services?host=cpu-1", "2.53");
    expect(listed.body.services[0]).toMatchObject({ state: "down", forced_down: true });
    const hypervisors = await call("GET", "/os-hypervisors", "2.53");
    expect(hypervisors.body.hypervisors[0]).toMatchObject({ state: "down", status: "disabled" });
    const enabled = await call("PUT", `/os-services/${uuid}`, "2.53", {
      status: "enabled",
      forced_down: "no",
    });
    expect(enabled.body.service).toMatchObject({
      status: "enabled",
      state: "up",
      disabled_reason: null,
      forced_down: false,
    });
    expect(env.fake.calls.filter((c) => c.method === "updateService")).toHaveLength(3);
    expect(
      tempestViolations([
        { client: SERVICES_CLIENT, schema: "update_service", version: "2.53", ...disabled },
        { client: SERVICES_CLIENT, schema: "update_service", version: "2.53", ...forced },
        { client: SERVICES_CLIENT, schema: "update_service", version: "2.53", ...enabled },
      ]),
    ).toEqual([]);
  });

  it("refuses what Nova refuses on the 2.53 PUT", async () => {
    const { env, compute } = await start();
    const uuid = compute("cpu-1").uuid;
    const cases: [unknown, string, number, string][] = [
      [
        { status: "enabled", disabled_reason: "x" },
        uuid,
        400,
        "Specifying 'disabled_reason' with status 'enabled' is invalid.",
      ],
      [{}, uuid, 400, "No updates were requested. Fields 'status' or 'forced_down' should be specified."],
      [
        { disabled_reason: "x" },
        uuid,
        400,
        "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
      ],
      [{ status: "disabled" }, "not-a-uuid", 400, "Invalid uuid not-a-uuid"],
      [
        { status: "disabled" },
        "9f3c4d2e-0000-4000-8000-000000000000",
        404,
        "Service 9f3c4d2e-0000-4000-8000-000000000000 could not be found.",
      ],
      [
        { status: "disabled" },
        env.fake.services.find((s) => s.binary === "nova-scheduler")!.uuid,
        400,
        "Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.",
      ],
      [
        { status: "paused" },
        uuid,
        400,
        "Invalid input for field/attribute status. Value: paused. 'paused' is not one of ['enabled', 'disabled']",
      ],
      [
        { status: "disabled", host: "cpu-1" },
        uuid,
        400,
        "Additional properties are not allowed ('host' was unexpected)",
      ],
    ];
    for (const [body, id, status, message] of cases) {
      const answer = await call("PUT", `/os-services/${id}`, "2.53", body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(Object.values(answer.body as object)[0].message).toBe(message);
    }
    expect(compute("cpu-1").disabled).toBe(false);
  });

  it("runs the legacy enable, disable, disable-log-reason and (from 2.11) force-down actions by host and binary", async () => {
    const { compute } = await start();
    const target = { host: "cpu-2", binary: "nova-compute" };
    const disable = await call("PUT", "/os-services/disable", "2.1", target);
    expect(disable.body).toEqual({ service: { ...target, status: "disabled" } });
    expect(compute("cpu-2")).toMatchObject({ disabled: true, disabledReason: null });
    const reason = await call("PUT", "/os-services/disable-log-reason", "2.11", {
      ...target,
      disabled_reason: "disk",
    });
    expect(reason.body).toEqual({ service: { ...target, status: "disabled", disabled_reason: "disk" } });
    expect(compute("cpu-2").disabledReason).toBe("disk");
    const enable = await call("PUT", "/os-services/enable", "2.52", target);
    expect(enable.body).toEqual({ service: { ...target, status: "enabled" } });
    expect(compute("cpu-2")).toMatchObject({ disabled: false, disabledReason: null });
    const down = await call("PUT", "/os-services/force-down", "2.11", { ...target, forced_down: "True" });
    expect(down.body).toEqual({ service: { ...target, forced_down: true } });
    expect(compute("cpu-2").forcedDown).toBe(true);
    expect(
      tempestViolations([
        { client: SERVICES_CLIENT, schema: "enable_disable_service", version: "2.1", ...disable },
        { client: SERVICES_CLIENT, schema: "disable_log_reason", version: "2.11", ...reason },
        { client: SERVICES_CLIENT, schema: "enable_disable_service", version: "2.52", ...enable },
        { client: SERVICES_CLIENT, schema: "update_forced_down", version: "2.11", ...down },
      ]),
    ).toEqual([]);
  });

  it("refuses what Nova refuses on the legacy actions", async () => {
    const { compute } = await start();
    const target = { host: "cpu-1", binary: "nova-compute" };
    const cases: [string, string, unknown, number, string][] = [
      ["2.10", "force-down", target, 404, "Unknown action"],
      [
        "2.10",
        "force-down",
        { ...target, forced_down: true },
        400,
        "Additional properties are not allowed ('forced_down' was unexpected)",
      ],
      ["2.11", "force-down", target, 400, "Missing forced_down field"],
      ["2.1", "reboot", target, 404, "Unknown action"],
      ["2.1", "disable-log-reason", target, 400, "Missing disabled reason field"],
      [
        "2.1",
        "disable",
        { host: "nohost", binary: "nova-compute" },
        404,
        "Could not find binary nova-compute on host nohost.",
      ],
      [
        "2.1",
        "disable",
        { host: "controller", binary: "nova-conductor" },
        400,
        "Updating a nova-conductor service is not supported. Only nova-compute services can be updated.",
      ],
      ["2.1", "disable", { host: "cpu-1" }, 400, "'binary' is a required property"],
    ];
    for (const [version, action, body, status, message] of cases) {
      const answer = await call("PUT", `/os-services/${action}`, version, body);
      expect(answer.status, `${version} ${action} ${JSON.stringify(body)}`).toBe(status);
      expect(Object.values(answer.body as object)[0].message).toBe(message);
    }
    expect(compute("cpu-1")).toMatchObject({ disabled: false, forcedDown: false });
  });

  it("deletes a service by uuid from 2.53 and by id before, with its compute nodes", async () => {
    const { env, compute } = await start();
    const cpu2 = compute("cpu-2");
    expect((await call("DELETE", `/os-services/${cpu2.uuid}`, "2.53")).status).toBe(204);
    expect(env.fake.services.some((s) => s.uuid === cpu2.uuid)).toBe(false);
    const hypervisors = await call("GET", "/os-hypervisors", "2.53");
    expect(hypervisors.body.hypervisors.map((h: Json) => h.hypervisor_hostname)).toEqual(["cpu-1"]);
    const scheduler = env.fake.services.find((s) => s.binary === "nova-scheduler")!;
    const byId = await call("DELETE", `/os-services/${scheduler.id}`, "2.52");
    expect(byId.status).toBe(204);
    expect(byId.body).toBeUndefined();
    const gone = await call("DELETE", `/os-services/${scheduler.id}`, "2.1");
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.message).toBe(`Service ${scheduler.id} not found.`);
    const notInt = await call("DELETE", "/os-services/abc", "2.1");
    expect(notInt.status).toBe(400);
    expect(notInt.body.badRequest.message).toBe("Invalid input received: id must be an integer");
    const notUuid = await call("DELETE", "/os-services/12", "2.53");
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.badRequest.message).toBe("Invalid uuid 12");
  });

  it("keeps a compute that still hosts servers (409)", async () => {
    const { env, compute } = await start();
    const server = await env.client().createServer({ name: "vm", flavorRef: "1", imageRef: FAKE_IMAGE_ID });
    env.fake.settle(server.id);
    const host = (await env.client().getServer(server.id))["OS-EXT-SRV-ATTR:host"] as string;
    const answer = await call("DELETE", `/os-services/${compute(host).uuid}`, "2.53");
    expect(answer.status).toBe(409);
    expect(answer.body.conflictingRequest.message).toBe(
      "Unable to delete compute service that is hosting instances. Migrate or delete the instances first.",
    );
    expect(env.fake.services.some((s) => s.host === host && s.binary === "nova-compute")).toBe(true);
  });
});
