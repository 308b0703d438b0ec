import { MemoryLogger } from "@nova/core/test";
import { expect, it } from "vitest";
import {
  MessagingError,
  NoSuchMethod,
  RemoteError,
  type RequestContext,
  RpcClient,
  type RpcEndpoint,
  RpcServer,
  RpcVersionCapError,
  type Transport,
  UnsupportedVersion,
} from "../src/index.js";
import { serializeMsg } from "../src/wire/envelope.js";

/** Builds a fresh pair of transports (client side, server side) on one bus, and tears them down. */
export interface BusFactory {
  open(logger?: MemoryLogger): Promise<{ client: Transport; server: Transport; close(): Promise<void> }>;
}

class ValueError extends Error {
  override name = "ValueError";
  readonly module = "builtins";
}

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const testEndpoint = (log: Array<{ method: string; args: unknown; ctx: RequestContext }>): RpcEndpoint => ({
  version: "1.5",
  methods: {
    echo: (ctx, args: { value: unknown }) => {
      log.push({ method: "echo", args, ctx });
      return args.value;
    },
    add: (_ctx, { a, b }: { a: number; b: number }) => a + b,
    nothing: () => undefined,
    fail: (_ctx, { message }: { message: string }) => {
      throw new ValueError(message);
    },
  },
});

/** The RPC behaviours every driver must show; the same code runs on fake:// and rabbit://. */
export function rpcBehaviour(bus: BusFactory): void {
  async function withServers(
    count: number,
    fn: (ctx: {
      client: Transport;
      log: Array<{ method: string; args: unknown; ctx: RequestContext }>[];
      servers: RpcServer[];
    }) => Promise<void>,
    extraEndpoints: RpcEndpoint[] = [],
  ) {
    const { client, server, close } = await bus.open();
    const logs: Array<{ method: string; args: unknown; ctx: RequestContext }>[] = [];
    const servers: RpcServer[] = [];
    for (let i = 0; i < count; i++) {
      const log: Array<{ method: string; args: unknown; ctx: RequestContext }> = [];
      logs.push(log);
      const s = new RpcServer(server, { topic: "t", server: `s${i}` }, [
        testEndpoint(log),
        ...extraEndpoints,
      ]);
      await s.start();
      servers.push(s);
    }
    try {
      await fn({ client, log: logs, servers });
    } finally {
      for (const s of servers) await s.stop();
      await close();
    }
  }

  it("calls a method and returns its result; the context arrives with client_timeout", async () => {
    await withServers(1, async ({ client, log }) => {
      const rpc = new RpcClient(client, { topic: "t", version: "1.3" });
      const ctx = { user_id: "u1", request_id: "req-1", roles: ["admin"] };
      expect(await rpc.call(ctx, "echo", { value: { deep: [1, "x", null] } })).toEqual({
        deep: [1, "x", null],
      });
      expect(await rpc.call(ctx, "add", { a: 2, b: 40 })).toBe(42);
      expect(await rpc.call(ctx, "nothing")).toBeNull();
      expect(log[0]![0]!.ctx).toEqual({ ...ctx, client_timeout: null });
    });
  });

  it("casts (resolving once the bus has it), fans out to every server, and targets one server", async () => {
    await withServers(2, async ({ client, log }) => {
      const rpc = new RpcClient(client, { topic: "t" });
      await rpc.prepare({ fanout: true }).cast({}, "echo", { value: "to-all" });
      await rpc.prepare({ server: "s1" }).call({}, "echo", { value: "to-s1" });
      await rpc.cast({}, "echo", { value: "one" });
      await rpc.call({}, "add", { a: 1, b: 1 });
      const seen = (i: number) => log[i]!.map((e) => (e.args as { value: unknown }).value);
      await expect.poll(() => seen(0).includes("to-all") && seen(1).includes("to-all")).toBe(true);
      expect(seen(1)).toContain("to-s1");
      expect(seen(0)).not.toContain("to-s1");
      await expect
        .poll(
          () =>
            seen(0)
              .concat(seen(1))
              .filter((v) => v === "one").length,
        )
        .toBe(1);
    });
  });

  it("matches namespaces and versions as oslo does, and says why it refuses", async () => {
    const ns: RpcEndpoint = {
      namespace: "testns",
      version: "2.0",
      methods: { ns_echo: (_c, a) => ({ ns: "testns", ...a }) },
    };
    await withServers(
      1,
      async ({ client }) => {
        const rpc = new RpcClient(client, { topic: "t" });
        expect(
          await rpc.prepare({ namespace: "testns", version: "2.0" }).call({}, "ns_echo", { value: 7 }),
        ).toEqual({
          ns: "testns",
          value: 7,
        });
        expect(await rpc.prepare({ version: "1.5" }).call({}, "add", { a: 1, b: 2 })).toBe(3);
        const tooNew = await rpc
          .prepare({ version: "2.0" })
          .call({}, "echo", { value: 1 })
          .catch((e: unknown) => e);
        expect(tooNew).toBeInstanceOf(UnsupportedVersion);
        expect((tooNew as Error).message).toBe(
          "Endpoint does not support RPC version 2.0. Attempted method: echo",
        );
        const missing = await rpc.call({}, "no_such_method").catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(NoSuchMethod);
        // The namespace endpoint does not serve methods outside its namespace.
        const wrongNs = await rpc
          .prepare({ version: "2.0" })
          .call({}, "ns_echo")
          .catch((e: unknown) => e);
        expect(wrongNs).toBeInstanceOf(UnsupportedVersion);
      },
      [ns],
    );
  });

  it("brings endpoint errors back as RemoteError with class, message and traceback", async () => {
    await withServers(1, async ({ client }) => {
      const err = await new RpcClient(client, { topic: "t" })
        .call({}, "fail", { message: "boom" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect((err as RemoteError).excType).toBe("ValueError");
      expect((err as RemoteError).value).toBe("boom");
      expect((err as RemoteError).failure.module).toBe("builtins");
      expect((err as RemoteError).traceback).toContain("ValueError: boom");
    });
  });

  it("refuses to send above the version cap", async () => {
    await withServers(1, async ({ client }) => {
      const rpc = new RpcClient(client, { topic: "t", version: "1.5" }, { versionCap: "1.4" });
      expect(rpc.canSendVersion()).toBe(false);
      expect(rpc.canSendVersion("1.4")).toBe(true);
      expect(rpc.prepare({ versionCap: "1.6" }).canSendVersion()).toBe(true);
      await expect(rpc.call({}, "echo", { value: 1 })).rejects.toBeInstanceOf(RpcVersionCapError);
      await expect(rpc.cast({}, "echo", { value: 1 })).rejects.toBeInstanceOf(RpcVersionCapError);
      expect(await rpc.prepare({ version: "1.4" }).call({}, "echo", { value: 1 })).toBe(1);
    });
  });

  it("drops duplicate _unique_ids and malformed messages, logs them, and keeps serving", async () => {
    const logger = new MemoryLogger();
    const { client, server, close } = await bus.open(logger);
    const log: Array<{ method: string; args: unknown; ctx: RequestContext }> = [];
    const s = new RpcServer(server, { topic: "t", server: "s0" }, [testEndpoint(log)], { logger });
    await s.start();
    try {
      const exchange = client.topology.exchange(client.options.control_exchange);
      const body = serializeMsg({ method: "echo", args: { value: "dup" }, _unique_id: "a".repeat(32) });
      await client.driver.publish({ exchange, routingKey: "t", body });
      await client.driver.publish({ exchange, routingKey: "t", body });
      for (const bad of [
        "not json",
        '{"oslo.version": "3.0", "oslo.message": "{}"}',
        serializeMsg({ args: {} }),
        serializeMsg({ method: "echo", args: [1] }),
      ]) {
        await client.driver.publish({ exchange, routingKey: "t", body: bad });
      }
      expect(await new RpcClient(client, { topic: "t" }).call({}, "echo", { value: "after" })).toBe("after");
      expect(log.map((e) => (e.args as { value: unknown }).value)).toEqual(["dup", "after"]);
      expect(logger.records.filter((e) => e.message === "dropping malformed RPC message")).toHaveLength(5);
    } finally {
      await s.stop();
      await close();
    }
  });

  it("runs at most maxConcurrency requests at once and drains them on stop()", async () => {
    const { client, server, close } = await bus.open();
    const g = gate();
    let running = 0;
    let peak = 0;
    let finished = 0;
    const s = new RpcServer(
      server,
      { topic: "t", server: "s0" },
      [
        {
          methods: {
            slow: async () => {
              running += 1;
              peak = Math.max(peak, running);
              await g.opened;
              running -= 1;
              finished += 1;
              return "done";
            },
          },
        },
      ],
      { maxConcurrency: 2 },
    );
    await s.start();
    try {
      const rpc = new RpcClient(client, { topic: "t" });
      const calls = Array.from({ length: 6 }, () => rpc.call({}, "slow"));
      await expect.poll(() => s.inFlight).toBe(6);
      expect(running).toBe(2);
      const stopped = s.stop();
      let stoppedYet = false;
      void stopped.then(() => {
        stoppedYet = true;
      });
      await new Promise((r) => setTimeout(r, 20));
      expect(stoppedYet).toBe(false);
      g.open();
      await stopped;
      expect(finished).toBe(6);
      expect(peak).toBe(2);
      expect(await Promise.all(calls)).toEqual(Array(6).fill("done"));
    } finally {
      await close();
    }
  });

  it("serves a lane's requests with their own limit while the default pool is full", async () => {
    const { client, server, close } = await bus.open();
    const g = gate();
    let beatsRunning = 0;
    let beatsPeak = 0;
    const s = new RpcServer(
      server,
      { topic: "t", server: "s0" },
      [
        {
          methods: {
            slow: async () => {
              await g.opened;
              return "slow";
            },
            beat: async (_ctx, args: { n: number }) => {
              beatsRunning += 1;
              beatsPeak = Math.max(beatsPeak, beatsRunning);
              await new Promise((r) => setTimeout(r, 5));
              beatsRunning -= 1;
              return args.n;
            },
          },
        },
      ],
      {
        maxConcurrency: 1,
        lanes: [{ name: "beats", maxConcurrency: 3, matches: (r) => r.method === "beat" }],
      },
    );
    await s.start();
    try {
      const rpc = new RpcClient(client, { topic: "t" });
      const slow = [rpc.call({}, "slow"), rpc.call({}, "slow")];
      await expect.poll(() => s.inFlight).toBe(2);
      // The default pool (1) is held by a slow call: beats still run, at most 3 at once.
      const beats = await Promise.all(Array.from({ length: 10 }, (_, n) => rpc.call({}, "beat", { n })));
      expect(beats).toEqual(Array.from({ length: 10 }, (_, n) => n));
      expect(beatsPeak).toBe(3);
      g.open();
      expect(await Promise.all(slow)).toEqual(["slow", "slow"]);
    } finally {
      await s.stop();
      await close();
    }
  });

  it("errors are typed: stable codes, retryability, isInstance across copies", () => {
    const err = new RpcVersionCapError("2.0", "1.0");
    expect(err.code).toBe("MESSAGING_RPC_VERSION_CAP");
    expect(MessagingError.isInstance(err)).toBe(true);
    expect(MessagingError.isInstance(new Error("x"))).toBe(false);
  });
}
