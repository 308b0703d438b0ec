import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createTestVhost } from "@nova/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  ConnectionLost,
  MessagingError,
  type MessagingOptionsInput,
  RpcClient,
  RpcServer,
  Transport,
} from "../src/index.js";
import { eventually } from "./broker.js";

const run = promisify(execFile);
const rabbitmqctl = (cmd: string) => run("rabbitmqctl", [cmd], { timeout: 120_000 });

// Restarts the shared broker: runs only in the serial chaos pass (NOVA_TEST_PHASE=chaos).
describe.each([
  ["durable queues", { amqp_durable_queues: true }],
  ["quorum queues", { rabbit_quorum_queue: true }],
] as Array<[string, MessagingOptionsInput]>)("broker restart under load (%s)", (_name, queueOptions) => {
  it("recovers by itself: confirmed casts handled exactly once, in-flight calls fail retryable, new calls succeed", async () => {
    const vhost = await createTestVhost("msg-chaos");
    const options: MessagingOptionsInput = {
      ...queueOptions,
      rabbit_retry_interval: 0.2,
      rabbit_retry_backoff: 0.5,
      rabbit_interval_max: 2,
    };
    const serverSide = new Transport(vhost.transportUrl, { options });
    const clientSide = new Transport(vhost.transportUrl, { options });
    const handled = new Map<number, number>();
    const server = new RpcServer(serverSide, { topic: "chaos", server: "s1" }, [
      {
        methods: {
          handle: (_c, { id }: { id: number }) => {
            handled.set(id, (handled.get(id) ?? 0) + 1);
          },
          // Slow on purpose: calls must be in flight when the broker goes away, whatever the timing.
          echo: async (_c, { value }: { value: number }) => {
            await new Promise((r) => setTimeout(r, 300));
            return value;
          },
        },
      },
    ]);
    await server.start();
    // Clean up even when an assertion fails (the broker itself is brought back by the finally below).
    onTestFinished(async () => {
      await server.stop();
      await clientSide.close();
      await serverSide.close();
      await vhost.dispose();
    });
    const rpc = new RpcClient(clientSide, { topic: "chaos" }, { timeout: 10 });
    const confirmed = new Set<number>();
    const castErrors: unknown[] = [];
    const callErrors: unknown[] = [];
    let callsOk = 0;
    let loading = true;
    let nextId = 0;

    const castLoop = async () => {
      while (loading) {
        const batch = Array.from({ length: 8 }, () => nextId++);
        await Promise.all(
          batch.map((id) =>
            rpc.cast({}, "handle", { id }).then(
              () => confirmed.add(id),
              (err: unknown) => castErrors.push(err),
            ),
          ),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const callLoop = async () => {
      while (loading) {
        await Promise.all(
          [1, 2, 3, 4].map((v) =>
            rpc.call({}, "echo", { value: v }).then(
              () => {
                callsOk += 1;
              },
              (err: unknown) => callErrors.push(err),
            ),
          ),
        );
      }
    };
    const loops = Promise.all([castLoop(), callLoop()]);
    try {
      await eventually(() => (confirmed.size > 200 && callsOk > 50 ? true : undefined));
      try {
        await rabbitmqctl("stop_app");
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await rabbitmqctl("start_app");
      }
      // New calls go through again within seconds of the broker's return.
      const okBefore = callsOk;
      await eventually(() => (callsOk > okBefore + 20 ? true : undefined), 30_000);
      const confirmedBefore = confirmed.size;
      await eventually(() => (confirmed.size > confirmedBefore + 100 ? true : undefined), 30_000);
    } finally {
      loading = false;
      await loops;
    }
    // Every cast the broker confirmed is handled, and nothing is handled twice.
    await eventually(() => ([...confirmed].every((id) => handled.has(id)) ? true : undefined), 30_000);
    expect([...handled.values()].filter((n) => n !== 1)).toEqual([]);
    expect(callErrors.length).toBeGreaterThan(0);
    expect(callErrors.some((e) => e instanceof ConnectionLost)).toBe(true);
    for (const err of [...callErrors, ...castErrors]) {
      expect(MessagingError.isInstance(err) && err.isRetryable).toBe(true);
    }
  }, 180_000);
});
