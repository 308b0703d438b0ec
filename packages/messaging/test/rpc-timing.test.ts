import { FakeClock, MemoryLogger } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import {
  FakeBroker,
  type MessagingOptionsInput,
  MessagingTimeout,
  RpcClient,
  RpcServer,
  Transport,
} from "../src/index.js";
import { FakeDriver } from "../src/test/index.js";
import { RecordingDriver } from "./recording-driver.js";

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

function bus(options: MessagingOptionsInput = {}) {
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const broker = new FakeBroker();
  const serverDriver = new RecordingDriver(new FakeDriver(broker));
  const client = new Transport("fake://", { fakeBroker: broker, clock, logger, options });
  const server = new Transport("fake://", { driver: serverDriver, clock, logger, options });
  return { clock, logger, client, server, serverDriver, broker };
}

describe("timeouts, late replies and call-monitor heartbeats (fake clock)", () => {
  it("fails a call with MessagingTimeout after `timeout` and drops the late reply", async () => {
    const { clock, logger, client, server } = bus();
    const g = gate();
    const s = new RpcServer(server, { topic: "t", server: "s" }, [
      {
        methods: {
          slow: async () => {
            await g.opened;
            return "late";
          },
        },
      },
    ]);
    await s.start();
    const rpc = new RpcClient(client, { topic: "t" }, { timeout: 1 });
    const call = rpc.call({}, "slow").catch((e: unknown) => e);
    await expect.poll(() => s.inFlight).toBe(1);
    let settled = false;
    void call.finally(() => {
      settled = true;
    });
    await clock.advance(999);
    expect(settled).toBe(false);
    await clock.advance(1);
    const err = await call;
    expect(err).toBeInstanceOf(MessagingTimeout);
    expect((err as MessagingTimeout).isRetryable).toBe(true);
    g.open();
    await expect
      .poll(() =>
        logger.records.some((e) => e.message === "dropping reply nobody waits for (late or not ours)"),
      )
      .toBe(true);
    expect(client.replyWaiter().pending).toBe(0);
    await s.stop();
  });

  it("sends call-monitor heartbeats every _timeout/2 s and the client keeps waiting on them", async () => {
    const { clock, client, server, serverDriver } = bus();
    const g = gate();
    const s = new RpcServer(server, { topic: "t", server: "s" }, [
      {
        methods: {
          slow: async () => {
            await g.opened;
            return 2.5;
          },
        },
      },
    ]);
    await s.start();
    const rpc = new RpcClient(client, { topic: "t" }, { callMonitorTimeout: 2 });
    let settled = false;
    const call = rpc.call({}, "slow").finally(() => {
      settled = true;
    });
    await expect.poll(() => s.inFlight).toBe(1);
    const heartbeats = () =>
      serverDriver.published.filter((p) => p.body.includes('\\"ending\\": false')).length;
    for (let i = 1; i <= 5; i++) {
      await clock.advance(1000);
      await expect.poll(heartbeats).toBe(i);
      await new Promise((r) => setImmediate(r));
    }
    // Five seconds in, well past the 2 s call-monitor timeout, and still waiting.
    expect(settled).toBe(false);
    g.open();
    expect(await call).toBe(2.5);
    const hb = serverDriver.published.find((p) => p.body.includes('\\"ending\\": false'))!;
    expect(hb.body).toMatch(
      /^\{"oslo.version": "2.0", "oslo.message": "\{\\"result\\": null, \\"failure\\": null, \\"ending\\": false, \\"_msg_id\\": \\"[0-9a-f]{32}\\", \\"_unique_id\\": \\"[0-9a-f]{32}\\"\}"\}$/,
    );
    await s.stop();
  });

  it("gives up after callMonitorTimeout when the server goes silent, long before the call timeout", async () => {
    const { clock, client, broker } = bus();
    const exchange = client.topology.exchange("openstack");
    broker.declareExchange(exchange);
    broker.declareQueue(client.topology.topicQueue("t"));
    broker.bind("t", "openstack", "t");
    const requests: string[] = [];
    broker.consume("t", (d) => {
      d.ack();
      requests.push(d.body);
    });
    const call = new RpcClient(client, { topic: "t" }, { callMonitorTimeout: 2, timeout: 60 })
      .call({}, "slow")
      .catch((e: unknown) => e);
    await expect.poll(() => requests.length).toBe(1);
    expect(requests[0]).toContain('\\"_timeout\\": 2,');
    await clock.advance(2000);
    expect(await call).toBeInstanceOf(MessagingTimeout);
  });

  it("with rpc_deadline_header, skips queued work whose caller already gave up", async () => {
    const { clock, logger, client, server } = bus({ rpc_deadline_header: true });
    const g = gate();
    const ran: string[] = [];
    const s = new RpcServer(
      server,
      { topic: "t", server: "s" },
      [
        {
          methods: {
            slow: async () => {
              await g.opened;
              ran.push("slow");
            },
            echo: (_c, { value }: { value: string }) => {
              ran.push(value);
              return value;
            },
          },
        },
      ],
      { maxConcurrency: 1 },
    );
    await s.start();
    const rpc = new RpcClient(client, { topic: "t" });
    const first = rpc.prepare({ timeout: 30 }).call({}, "slow");
    const second = rpc
      .prepare({ timeout: 1 })
      .call({}, "echo", { value: "stale" })
      .catch((e: unknown) => e);
    await expect.poll(() => s.inFlight).toBe(2);
    await clock.advance(1500);
    expect(await second).toBeInstanceOf(MessagingTimeout);
    g.open();
    await first;
    await s.stop();
    expect(ran).toEqual(["slow"]);
    expect(logger.records.some((e) => e.message === "skipping a request whose caller gave up")).toBe(true);
  });
});
