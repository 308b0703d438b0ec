import { MemoryLogger } from "@nova/core/test";
import { createTestVhost } from "@nova/testing";
import { describe, expect, it } from "vitest";
import {
  BufferOverflow,
  ConnectionLost,
  type MessagingError,
  RpcClient,
  RpcServer,
  Transport,
  TransportClosed,
} from "../src/index.js";
import { closeConnections, connections, eventually } from "./broker.js";

describe("rabbit driver robustness (real broker)", () => {
  it("after a dropped connection: calls in flight fail fast and retryable, then everything works again", async () => {
    const vhost = await createTestVhost("msg-reconnect");
    const logger = new MemoryLogger();
    const serverSide = new Transport(vhost.transportUrl, { logger, options: { rabbit_retry_interval: 0.2 } });
    const clientSide = new Transport(vhost.transportUrl, { logger, options: { rabbit_retry_interval: 0.2 } });
    let release = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const handled: string[] = [];
    const server = new RpcServer(serverSide, { topic: "t", server: "s" }, [
      {
        methods: {
          block: async () => {
            await blocked;
            return "late";
          },
          echo: (_c, { value }: { value: string }) => {
            handled.push(value);
            return value;
          },
        },
      },
    ]);
    try {
      await server.start();
      const rpc = new RpcClient(clientSide, { topic: "t" });
      expect(await rpc.call({}, "echo", { value: "before" })).toBe("before");
      const inFlight = rpc.call({}, "block").catch((e: unknown) => e);
      await expect.poll(() => server.inFlight).toBe(1);
      // The management API lists connections after its next stats tick.
      await eventually(async () => ((await connections(vhost)).length === 2 ? true : undefined));
      expect(await closeConnections(vhost)).toBe(2);
      const err = await inFlight;
      expect(err).toBeInstanceOf(ConnectionLost);
      expect((err as MessagingError).isRetryable).toBe(true);
      release();
      // Queues, exchanges and consumers come back by themselves; a fresh call and cast go through.
      const value = await eventually(() => rpc.prepare({ timeout: 2 }).call({}, "echo", { value: "after" }));
      expect(value).toBe("after");
      await rpc.cast({}, "echo", { value: "cast-after" });
      await rpc.prepare({ fanout: true }).cast({}, "echo", { value: "fanout-after" });
      await expect.poll(() => handled.includes("cast-after") && handled.includes("fanout-after")).toBe(true);
      expect(
        logger.records.filter((e) => e.message === "lost the broker connection").length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      release();
      await server.stop();
      await clientSide.close();
      await serverSide.close();
      await vhost.dispose();
    }
  });

  it("bounds what it buffers while the broker is away (count and bytes) and rejects the rest, typed", async () => {
    const transport = new Transport("rabbit://guest:guest@127.0.0.1:1/", {
      options: { max_buffered_messages: 3, max_buffered_bytes: 2000, rabbit_retry_interval: 5 },
    });
    const rpc = new RpcClient(transport, { topic: "t" });
    const pending = [1, 2, 3].map((i) => rpc.cast({}, "echo", { i }).catch((e: unknown) => e));
    const overflow = await rpc.cast({}, "echo", { i: 4 }).catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(BufferOverflow);
    expect((overflow as BufferOverflow).code).toBe("MESSAGING_BUFFER_OVERFLOW");
    expect((overflow as Error).message).toMatch(/max_buffered_messages=3/);
    await transport.close();
    for (const p of pending) expect(await p).toBeInstanceOf(TransportClosed);

    const small = new Transport("rabbit://guest:guest@127.0.0.1:1/", {
      options: { max_buffered_bytes: 500 },
    });
    const big = await new RpcClient(small, { topic: "t" })
      .cast({}, "echo", { blob: "x".repeat(600) })
      .catch((e: unknown) => e);
    expect(big).toBeInstanceOf(BufferOverflow);
    expect((big as Error).message).toMatch(/max_buffered_bytes=500/);
    await small.close();
  });

  it("tries the next host of a multi-host URL when one is down", async () => {
    const vhost = await createTestVhost("msg-hosts");
    const url = `rabbit://guest:guest@127.0.0.1:1,127.0.0.1:5672/${encodeURIComponent(vhost.name)}`;
    const transport = new Transport(url, { options: { rabbit_retry_interval: 0.1 } });
    const server = new RpcServer(transport, { topic: "t", server: "s" }, [
      { methods: { ping: () => "pong" } },
    ]);
    try {
      await server.start();
      expect(await new RpcClient(transport, { topic: "t" }).call({}, "ping")).toBe("pong");
    } finally {
      await server.stop();
      await transport.close();
      await vhost.dispose();
    }
  });
});
