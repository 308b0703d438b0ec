import { FakeClock } from "@nova/core/test";
import { FakeDriver, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ComputeConfigError } from "../src/index.js";
import { novaInstance } from "../src/test/index.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const heartbeats = (harness: Harness) => harness.conductor.callsOf("Service.save");

async function heartbeatCount(harness: Harness, n: number): Promise<void> {
  await vi.waitFor(
    () => {
      if (heartbeats(harness).length < n) throw new Error("waiting for heartbeats");
    },
    { timeout: 10_000, interval: 5 },
  );
}

describe("nova-compute service", () => {
  it("creates its service row once, then reports Service.save heartbeats every report_interval", async () => {
    h = await startHarness({ config: { report_interval: 10 } });
    expect(h.conductor.callsOf("Service.create")).toHaveLength(1);
    expect(h.service.service).toMatchObject({ host: "cpu-1", binary: "nova-compute", topic: "compute" });
    await h.clock.advance(0);
    await heartbeatCount(h, 1);
    expect(heartbeats(h)[0]).toMatchObject({
      changes: ["report_count"],
      data: { report_count: 1, host: "cpu-1" },
    });
    await h.clock.advance(10_000);
    await heartbeatCount(h, 2);
    expect(heartbeats(h)[1]?.data.report_count).toBe(2);
    expect(h.conductor.services.get("cpu-1/nova-compute")).toMatchObject({ report_count: 2 });
    // The conductor has the report; its reply (the new last_seen_up) reaches the compute a few I/O hops later.
    const started = h;
    const now = Math.floor(started.clock.now() / 1000) * 1000;
    await vi.waitFor(() => expect(started.service.service?.last_seen_up?.getTime()).toBe(now), {
      interval: 5,
    });
  });

  it("a restarted compute finds its row (no second create) and continues its report_count", async () => {
    h = await startHarness();
    await h.clock.advance(0);
    await heartbeatCount(h, 1);
    await h.service.stop();
    const { createComputeService } = await import("../src/index.js");
    const again = createComputeService({
      host: "cpu-1",
      transport: h.peer,
      driver: new FakeDriver(),
      clock: h.clock,
    });
    await again.start();
    await h.clock.advance(0);
    await heartbeatCount(h, 2);
    await again.stop();
    expect(h.conductor.callsOf("Service.create")).toHaveLength(1);
    expect(h.conductor.callsOf("Service.get_by_host_and_binary")).toHaveLength(2);
    expect(heartbeats(h)[1]?.data.report_count).toBe(2);
  });

  it("after the transport reconnects, a failed heartbeat is retried at once (group.nudge)", async () => {
    h = await startHarness({ config: { report_interval: 10 } });
    h.conductor.failNext.set("Service.save", [new Error("conductor restarting")]);
    await h.clock.advance(0);
    await heartbeatCount(h, 1);
    await vi.waitFor(() => expect(h?.service.heartbeatStats?.disconnected).toBe(true));
    h.messagingDriver.emit("disconnected");
    h.messagingDriver.emit("connected");
    await h.clock.advance(0); // the nudge schedules the report now, not 10 s later
    await heartbeatCount(h, 2);
    await vi.waitFor(() =>
      expect(h?.service.heartbeatStats).toMatchObject({ reports: 1, disconnected: false }),
    );
  });

  it("stop() answers the builds it accepted before it stops reporting", async () => {
    const virtClock = new FakeClock(0);
    h = await startHarness({ driver: new FakeDriver({ spawnDelayMs: 5000, clock: virtClock }) });
    await h.clock.advance(0);
    await heartbeatCount(h, 1);
    const row = h.conductor.seedInstance(novaInstance());
    const build = h.computeApi.buildAndRunInstance(h.ctx, h.host, {
      instance: row,
      image: {},
      request_spec: {},
      node: h.host,
    });
    await virtClock.whenPending(1);
    expect(h.service.inFlight).toBe(1);
    let stopped = false;
    const stopping = h.service.stop().then(() => {
      stopped = true;
    });
    // Still draining: the build is spawning, and heartbeats keep going meanwhile.
    await h.clock.advance(10_000);
    await heartbeatCount(h, 2);
    expect(stopped).toBe(false);
    await virtClock.advance(5000);
    await expect(build).resolves.toMatchObject({ instance_uuid: row.uuid, power_state: PowerState.RUNNING });
    await stopping;
    expect(stopped).toBe(true);
    const after = heartbeats(h).length;
    await h.clock.advance(60_000);
    expect(heartbeats(h)).toHaveLength(after);
  });

  it("stop() does not wait for a lifecycle sync whose conductor went away first", async () => {
    h = await startHarness();
    const uuid = (await h.bootActive()).uuid!;
    await h.service.manager.settled();
    const reads = h.conductor.callsOf("Instance.get_by_uuid").length;
    // The conductor stops first (a whole host going down): the sync's read is never answered.
    await h.conductor.stop();
    h.driver.simulateGuestStop(uuid, PowerState.SHUTDOWN);
    let stopped = false;
    const stopping = h.service.stop().then(() => {
      stopped = true;
    });
    // A sync waiting on its conductor would hold stop() for rpc_response_timeout (60 s, real time here).
    await vi.waitFor(() => expect(stopped).toBe(true), { timeout: 5_000, interval: 10 });
    await stopping;
    expect(h.conductor.callsOf("Instance.get_by_uuid")).toHaveLength(reads);
  });

  it("an invalid option stops the service before it starts, naming the option", async () => {
    h = await startHarness({ start: false });
    const { createComputeService } = await import("../src/index.js");
    let err: unknown;
    try {
      createComputeService({
        host: "cpu-9",
        transport: h.peer,
        driver: new FakeDriver(),
        config: { shutdown_timeout: -5 },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ComputeConfigError);
    expect((err as ComputeConfigError).option).toBe("shutdown_timeout");
    expect((err as Error).message).toContain("shutdown_timeout");
  });

  it("a start that fails (no conductor answers the service lookup) stops what it started", async () => {
    h = await startHarness({ start: false });
    h.conductor.failNext.set("Service.get_by_host_and_binary", [new Error("db down")]);
    await expect(h.service.start()).rejects.toThrow("db down");
    expect(h.service.heartbeatStats).toBeUndefined();
    expect(h.conductor.callsOf("ComputeNode.create")).toHaveLength(0);
  });
});

describe("nova-compute started before nova-conductor", () => {
  it("retries its first conductor call until the conductor answers (Nova's wait_until_ready)", async () => {
    const { FakeBroker, Transport } = await import("@nova/messaging");
    const { FakeConductor } = await import("../src/test/index.js");
    const { createComputeService } = await import("../src/index.js");
    const broker = new FakeBroker();
    const computeTransport = new Transport("fake://", { fakeBroker: broker });
    const peer = new Transport("fake://", { fakeBroker: broker });
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: object) => warnings.push(obj) };
    const conductor = new FakeConductor(peer, () => Date.now());
    const service = createComputeService({
      host: "early-1",
      transport: computeTransport,
      driver: new FakeDriver(),
      logger,
      config: { rpc_response_timeout: 1 },
    });
    try {
      const starting = service.start();
      // No conductor yet: the first call times out and is retried instead of failing the start.
      await vi.waitFor(() => expect(warnings.length).toBeGreaterThan(0), { timeout: 10_000 });
      await conductor.start();
      await starting;
      expect(conductor.callsOf("Service.create")).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ host: "early-1", attempt: 1 });
    } finally {
      await service.stop();
      await conductor.stop();
      await computeTransport.close();
      await peer.close();
    }
  });
});
