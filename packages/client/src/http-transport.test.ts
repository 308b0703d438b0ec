import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { afterEach, describe, expect, it } from "vitest";
import { ComputeApiError } from "./compute-api-error.js";
import { ComputeNetworkError } from "./errors/compute-network-error.js";
import { ComputeTimeoutError } from "./errors/compute-timeout-error.js";
import { ConflictError } from "./errors/conflict-error.js";
import { ForbiddenError } from "./errors/forbidden-error.js";
import { NotFoundError } from "./errors/not-found-error.js";
import { OverLimitError } from "./errors/over-limit-error.js";
import { ServerError } from "./errors/server-error.js";
import { UnauthorizedError } from "./errors/unauthorized-error.js";
import { type ClientEvent, HttpTransport } from "./http-transport.js";

type Answer = [number, unknown, Record<string, string>?];

function scriptedFetch(answers: Answer[]) {
  const sent: { url: string; method: string; headers: Record<string, string> }[] = [];
  const impl = (async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: init?.headers as Record<string, string>,
    });
    const next = answers.shift();
    if (!next) throw new Error("no scripted answer left");
    const [status, body, headers = {}] = next;
    const text = body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers });
  }) as typeof fetch;
  return { sent, impl };
}

/** Advances the fake clock timer by timer until `work` settles. */
async function settle<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  const tracked = work.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  while (!done) await clock.advance(Math.max(0, (clock.nextTimerAt ?? clock.now()) - clock.now()));
  return tracked;
}

const fault = (name: string, code: number, message: string) => ({ [name]: { code, message } });

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  servers = [];
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("HttpTransport errors", () => {
  it("maps each HTTP class to its typed error with fault code, message and request id", async () => {
    const cases: [number, unknown, abstract new (...args: never[]) => ComputeApiError, string][] = [
      [404, fault("itemNotFound", 404, "Instance x could not be found."), NotFoundError, "ITEM_NOT_FOUND"],
      [409, fault("conflictingRequest", 409, "locked"), ConflictError, "CONFLICTING_REQUEST"],
      [403, fault("forbidden", 403, "Policy doesn't allow"), ForbiddenError, "FORBIDDEN"],
      [413, fault("overLimit", 413, "Quota exceeded"), OverLimitError, "OVER_LIMIT"],
      [429, fault("overLimit", 429, "Rate limited"), OverLimitError, "OVER_LIMIT"],
      [500, fault("computeFault", 500, "Unexpected"), ServerError, "COMPUTE_FAULT"],
      [
        401,
        {
          error: {
            code: 401,
            title: "Unauthorized",
            message: "The request you have made requires authentication.",
          },
        },
        UnauthorizedError,
        "UNAUTHORIZED",
      ],
    ];
    for (const [status, body, ErrorClass, code] of cases) {
      const { impl } = scriptedFetch([[status, body, { "x-compute-request-id": `req-${status}` }]]);
      const transport = new HttpTransport({ fetch: impl, retry: { maxRetries: 0 } });
      const error = await transport.send("POST", "http://h/v2.1/x", {}).catch((e: unknown) => e);
      expect((ErrorClass as unknown as typeof ComputeApiError).isInstance(error), `${status}`).toBe(true);
      expect(ComputeApiError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status, code, requestId: `req-${status}` });
      expect((error as Error).message).toBe(
        (Object.values(body as object)[0] as { message: string }).message,
      );
    }
  });

  it("turns a refused connection into a ComputeNetworkError, not a raw TypeError", async () => {
    const url = await listen((_req, res) => res.end());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const transport = new HttpTransport({ retry: { maxRetries: 0 } });
    const error = await transport.send("GET", `${url}/v2.1/`).catch((e: unknown) => e);
    expect(ComputeNetworkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "NETWORK_ERROR", reason: "ECONNREFUSED", connectionRefused: true });
  });

  it("gives up on a server that never answers with a ComputeTimeoutError", async () => {
    const url = await listen(() => {}); // accepts, never answers
    const transport = new HttpTransport({ timeoutMs: 30_000, retry: { maxRetries: 0 } });
    const error = await transport
      .send("GET", `${url}/v2.1/`, undefined, { timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(ComputeTimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutMs: 50, method: "GET" });
  });

  it("aborts a call with the caller's signal and throws the signal's reason", async () => {
    const url = await listen(() => {});
    const transport = new HttpTransport({ retry: { maxRetries: 0 } });
    const controller = new AbortController();
    const pending = transport.send("GET", `${url}/v2.1/`, undefined, { signal: controller.signal });
    controller.abort(new Error("user pressed ^C"));
    await expect(pending).rejects.toThrow("user pressed ^C");
    const already = transport.send("GET", `${url}/v2.1/`, undefined, { signal: controller.signal });
    await expect(already).rejects.toThrow("user pressed ^C");
  });
});

describe("HttpTransport retries", () => {
  it("retries a GET on 503 with backoff and honours Retry-After, reporting each retry", async () => {
    const clock = new FakeClock(0);
    const { impl, sent } = scriptedFetch([
      [503, "busy", { "retry-after": "7" }],
      [503, "busy"],
      [200, { ok: true }],
    ]);
    const events: ClientEvent[] = [];
    const transport = new HttpTransport({
      fetch: impl,
      clock,
      retry: { maxRetries: 3, intervalMs: 100, maxIntervalMs: 10_000 },
      onEvent: (e) => events.push(e),
    });
    const response = await settle(clock, transport.send("GET", "http://h/v2.1/servers"));
    expect(response.body).toEqual({ ok: true });
    expect(sent).toHaveLength(3);
    const retries = events.filter((e) => e.type === "retry").map((e) => (e as { waitMs: number }).waitMs);
    expect(retries).toEqual([7000, 200]);
    expect(events.filter((e) => e.type === "response").map((e) => (e as { status: number }).status)).toEqual([
      503, 503, 200,
    ]);
  });

  it("never repeats a POST after a 503 or a reset, but does after 429 and a refused connection", async () => {
    const clock = new FakeClock(0);
    const post503 = scriptedFetch([[503, "busy"]]);
    const t1 = new HttpTransport({ fetch: post503.impl, clock });
    await expect(settle(clock, t1.send("POST", "http://h/v2.1/servers", {}))).rejects.toMatchObject({
      status: 503,
    });
    expect(post503.sent).toHaveLength(1);

    const post429 = scriptedFetch([
      [429, fault("overLimit", 429, "slow down"), { "retry-after": "1" }],
      [202, { server: { id: "s" } }],
    ]);
    const t2 = new HttpTransport({ fetch: post429.impl, clock });
    expect((await settle(clock, t2.send("POST", "http://h/v2.1/servers", {}))).status).toBe(202);
    expect(post429.sent).toHaveLength(2);

    let calls = 0;
    const refusedThenOk = (async () => {
      calls++;
      if (calls === 1)
        throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
      if (calls === 2) throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNRESET" } });
      return new Response(null, { status: 202 });
    }) as typeof fetch;
    const t3 = new HttpTransport({ fetch: refusedThenOk, clock });
    const reset = await settle(clock, t3.send("POST", "http://h/v2.1/servers", {})).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(reset).toMatchObject({ code: "NETWORK_ERROR", reason: "ECONNRESET" });
  });

  it("logs each event at debug level when given a logger", async () => {
    const { impl } = scriptedFetch([[200, { ok: 1 }, { "x-openstack-request-id": "req-9" }]]);
    const logger = new MemoryLogger();
    await new HttpTransport({ fetch: impl, logger, microversion: "2.1" }).send("GET", "http://h/v2.1/");
    expect(logger.records.map((e) => [e.level, e.fields])).toEqual([
      [
        "debug",
        expect.objectContaining({ event: "request", method: "GET", microversion: "2.1", attempt: 1 }),
      ],
      ["debug", expect.objectContaining({ event: "response", status: 200, requestId: "req-9" })],
    ]);
  });

  it("authenticates again once on a 401, then gives up", async () => {
    const { impl, sent } = scriptedFetch([
      [401, "expired"],
      [200, { ok: 1 }],
      [401, "no"],
      [401, "still no"],
    ]);
    let issued = 0;
    let invalidated = 0;
    const tokenProvider = {
      getToken: async () => `token-${++issued}`,
      invalidate: () => {
        invalidated++;
      },
    };
    const transport = new HttpTransport({ fetch: impl, tokenProvider });
    expect((await transport.send("GET", "http://h/v2.1/")).body).toEqual({ ok: 1 });
    expect(sent.map((s) => s.headers["X-Auth-Token"])).toEqual(["token-1", "token-2"]);
    const error = await transport.send("GET", "http://h/v2.1/").catch((e: unknown) => e);
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect(sent).toHaveLength(4);
    expect(invalidated).toBe(2);
  });
});
