import type { Clock } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import { ComputeApiError, ServerWaitError } from "./compute-api-error.js";
import { ComputeClient } from "./compute-client.js";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records requests and answers from a queue of (status, body, headers). */
/** Advances the fake clock timer by timer until `work` settles (the client sleeps between polls). */
async function settle<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  const tracked = work.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  while (!done) await clock.advance(Math.max(0, (clock.nextTimerAt ?? clock.now()) - clock.now()));
  return tracked;
}

function scriptedFetch(answers: [number, unknown, Record<string, string>?][]) {
  const sent: Sent[] = [];
  const impl = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error("no scripted answer left");
    const [status, body, headers = {}] = next;
    const text = body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers });
  }) as typeof fetch;
  return { sent, impl };
}

const SERVER = {
  id: "s1",
  name: "n",
  status: "BUILD",
  tenant_id: "p",
  user_id: "u",
  metadata: {},
  hostId: "",
  image: "",
  flavor: { id: "1", links: [] },
  created: "2026-11-27T08:00:00Z",
  updated: "2026-11-27T08:00:00Z",
  addresses: {},
  accessIPv4: "",
  accessIPv6: "",
  links: [],
  "OS-DCF:diskConfig": "MANUAL",
  "OS-EXT-AZ:availability_zone": "",
  config_drive: "",
  key_name: null,
  "OS-SRV-USG:launched_at": null,
  "OS-SRV-USG:terminated_at": null,
  "OS-EXT-STS:task_state": "scheduling",
  "OS-EXT-STS:vm_state": "building",
  "OS-EXT-STS:power_state": 0,
  "os-extended-volumes:volumes_attached": [],
};

describe("ComputeClient", () => {
  it("sends the token, the microversion and JSON, and builds query strings", async () => {
    const { sent, impl } = scriptedFetch([
      [200, { servers: [] }],
      [202, undefined],
    ]);
    const client = new ComputeClient({
      endpoint: "http://h:8774/v2.1/",
      token: "u:p",
      microversion: "2.60",
      fetch: impl,
    });
    await client.listServers({ status: ["ACTIVE", "SHUTOFF"], limit: 5, name: undefined });
    await client.rebootServer("a/b", "HARD");
    expect(sent[0]?.url).toBe("http://h:8774/v2.1/servers?status=ACTIVE&status=SHUTOFF&limit=5");
    expect(sent[0]?.headers).toMatchObject({
      "X-Auth-Token": "u:p",
      "OpenStack-API-Version": "compute 2.60",
    });
    expect(sent[1]).toMatchObject({
      url: "http://h:8774/v2.1/servers/a%2Fb/action",
      method: "POST",
      body: '{"reboot":{"type":"HARD"}}',
    });
    expect(sent[1]?.headers["Content-Type"]).toBe("application/json");
  });

  it("asks for console output (whole or tailed) and returns the output text", async () => {
    const { sent, impl } = scriptedFetch([
      [200, { output: "line a\nline b\n" }],
      [200, { output: "line b\n" }],
      [200, { text: "not console output" }],
    ]);
    const client = new ComputeClient({ endpoint: "http://h/v2.1", fetch: impl });
    expect(await client.getConsoleOutput("s1")).toBe("line a\nline b\n");
    expect(await client.getConsoleOutput("s1", 2)).toBe("line b\n");
    expect(sent.slice(0, 2).map((r) => [r.url, r.method, r.body])).toEqual([
      ["http://h/v2.1/servers/s1/action", "POST", '{"os-getConsoleOutput":{}}'],
      ["http://h/v2.1/servers/s1/action", "POST", '{"os-getConsoleOutput":{"length":2}}'],
    ]);
    const error = await client.getConsoleOutput("s1").catch((e: unknown) => e);
    expect(ComputeApiError.isInstance(error) && error.message).toMatch(/unexpected response shape/);
  });

  it("turns a fault body into a typed ComputeApiError", async () => {
    const { impl } = scriptedFetch([
      [
        409,
        {
          conflictingRequest: {
            code: 409,
            message: "Cannot 'pause' instance s1 while it is in vm_state stopped",
          },
        },
        { "x-openstack-request-id": "req-1" },
      ],
      [503, "upstream down", {}],
    ]);
    const client = new ComputeClient({ endpoint: "http://h/v2.1", fetch: impl, retry: { maxRetries: 0 } });
    const error = await client.pauseServer("s1").catch((e: unknown) => e);
    expect(ComputeApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 409,
      code: "CONFLICTING_REQUEST",
      faultName: "conflictingRequest",
      message: "Cannot 'pause' instance s1 while it is in vm_state stopped",
      requestId: "req-1",
      isRetryable: false,
    });
    const plain = await client.listFlavors().catch((e: unknown) => e);
    expect(plain).toMatchObject({ status: 503, code: "HTTP_503", faultName: undefined, isRetryable: true });
    expect((plain as Error).message).toBe("upstream down");
  });

  it("rejects a response that does not have the documented shape", async () => {
    const { impl } = scriptedFetch([[200, { server: { id: 5 } }]]);
    const client = new ComputeClient({ endpoint: "http://h/v2.1", fetch: impl });
    const error = await client.getServer("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComputeApiError);
    expect(error).toMatchObject({ code: "UNEXPECTED_RESPONSE", status: 200, isRetryable: false });
    expect((error as Error).message).toMatch(/^unexpected response shape/);
  });

  it("waits for a status with an injected clock and gives up at the deadline", async () => {
    const answers: [number, unknown][] = [];
    for (let i = 0; i < 3; i++) answers.push([200, { server: SERVER }]);
    answers.push([200, { server: { ...SERVER, status: "ACTIVE" } }]);
    const { impl, sent } = scriptedFetch(answers);
    const fake = new FakeClock(0);
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => fake.now(),
      setTimer: (ms, fn) => fake.setTimer(ms, fn),
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return fake.sleep(ms, signal);
      },
    };
    const options = { intervalMs: 250, timeoutMs: 10_000, clock };
    const client = new ComputeClient({ endpoint: "http://h/v2.1", fetch: impl });
    const server = await settle(fake, client.waitForServerStatus("s1", "ACTIVE", options));
    expect(server.status).toBe("ACTIVE");
    expect(sent).toHaveLength(4);
    expect(sleeps).toEqual([250, 250, 250]);
    expect(fake.now()).toBe(750);

    const stuck = scriptedFetch(
      Array.from({ length: 6 }, () => [200, { server: SERVER }] as [number, unknown]),
    );
    fake.set(0);
    const slow = new ComputeClient({ endpoint: "http://h/v2.1", fetch: stuck.impl });
    const error = await settle(
      fake,
      slow.waitForServerStatus("s1", "ACTIVE", { ...options, intervalMs: 400, timeoutMs: 1000 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerWaitError);
    expect(error).toMatchObject({ code: "SERVER_WAIT_TIMEOUT", lastStatus: "BUILD" });
    expect(stuck.sent).toHaveLength(4);
  });
});
