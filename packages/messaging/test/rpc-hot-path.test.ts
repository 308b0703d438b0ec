import { describe, expect, it } from "vitest";
import {
  FakeBroker,
  type MessagingObserver,
  MessagingTimeout,
  RemoteError,
  RpcClient,
  RpcServer,
  Transport,
} from "../src/index.js";

// The request path runs on callbacks, not async functions (issue 17): these pin what that must not change.
describe("RPC hot path over fake://", () => {
  function bus(observer?: MessagingObserver) {
    const fakeBroker = new FakeBroker();
    const init = { fakeBroker, ...(observer ? { observer } : {}) };
    return { client: new Transport("fake://", init), server: new Transport("fake://", init) };
  }

  it("drains thousands of queued synchronous requests behind a slow one, in order, without nesting", async () => {
    const { client, server } = bus();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: number[] = [];
    const s = new RpcServer(
      server,
      { topic: "t", server: "s1" },
      [
        {
          methods: {
            slow: async () => {
              await gate;
              return "slow";
            },
            ping: () => "pong",
            echo: (_c, { n }: { n: number }) => {
              seen.push(n);
              return n;
            },
          },
        },
      ],
      { maxConcurrency: 1 },
    );
    await s.start();
    try {
      const rpc = new RpcClient(client, { topic: "t" }, { timeout: 120 });
      // The first call starts the reply queue; after it, the slow call is published before the casts.
      expect(await rpc.call({}, "ping")).toBe("pong");
      const slow = rpc.call({}, "slow");
      // Casts: a synchronously handled cast finishes inside the server's pump loop (no reply to wait for).
      const n = 12_000;
      await Promise.all(Array.from({ length: n }, (_, i) => rpc.cast({}, "echo", { n: i })));
      // Let every request reach the server's queue behind the slow one, then free the only slot.
      while (s.inFlight < n + 1 && seen.length === 0) await new Promise((r) => setTimeout(r, 5));
      release();
      expect(await slow).toBe("slow");
      while (seen.length < n && s.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(s.inFlight).toBe(0);
    } finally {
      await s.stop();
      await client.close();
      await server.close();
    }
  }, 120_000);

  it("ends an observer's scopes once per call: on the reply, on the method's error, on a timeout", async () => {
    const sends: Array<{ method: string; error: unknown }> = [];
    const dispatches: Array<{ method: string; error: unknown; ran: string }> = [];
    const observer: MessagingObserver = {
      rpcSend: (e) => ({
        end: (error?: unknown) => {
          sends.push({ method: e.method, error });
        },
      }),
      rpcDispatch: (e) => {
        let ran = "";
        return {
          run: <T>(fn: () => T): T => {
            const value = fn();
            ran = value instanceof Promise ? "promise" : "value";
            return value;
          },
          end: (error?: unknown) => {
            dispatches.push({ method: e.method, error, ran });
          },
        };
      },
    };
    const { client, server } = bus(observer);
    const s = new RpcServer(server, { topic: "t", server: "s1" }, [
      {
        methods: {
          echo: (_c, { v }: { v: number }) => v,
          later: async () => "later",
          fail: () => {
            throw new Error("boom");
          },
        },
      },
    ]);
    await s.start();
    try {
      const rpc = new RpcClient(client, { topic: "t" });
      expect(await rpc.call({}, "echo", { v: 7 })).toBe(7);
      expect(await rpc.call({}, "later")).toBe("later");
      const failed = await rpc.call({}, "fail").catch((e: unknown) => e);
      expect(RemoteError.isInstance(failed)).toBe(true);
      const nobody = new RpcClient(client, { topic: "nobody" }, { timeout: 0.2 });
      const timedOut = await nobody.call({}, "echo", { v: 1 }).catch((e: unknown) => e);
      expect(MessagingTimeout.isInstance(timedOut)).toBe(true);

      expect(sends.map((x) => x.method)).toEqual(["echo", "later", "fail", "echo"]);
      expect(sends[0]!.error).toBeUndefined();
      expect(sends[1]!.error).toBeUndefined();
      expect(sends[2]!.error).toBe(failed);
      expect(sends[3]!.error).toBe(timedOut);
      expect(dispatches.map(({ method, ran }) => ({ method, ran }))).toEqual([
        { method: "echo", ran: "value" },
        { method: "later", ran: "promise" },
        // A synchronous throw leaves run() before it returns anything.
        { method: "fail", ran: "" },
      ]);
      expect(dispatches[0]!.error).toBeUndefined();
      expect(dispatches[1]!.error).toBeUndefined();
      expect((dispatches[2]!.error as Error).message).toBe("boom");
    } finally {
      await s.stop();
      await client.close();
      await server.close();
    }
  });
});
