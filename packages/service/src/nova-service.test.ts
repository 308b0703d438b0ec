import { PeriodicTask } from "@nova/core";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { FakeBroker, MessagingTimeout, RpcClient, Transport } from "@nova/messaging";
import type { HeartbeatReport, ServiceKey } from "@nova/servicegroup";
import { afterEach, describe, expect, it } from "vitest";
import { NovaService, type NovaServiceOptions } from "./nova-service.js";
import type { ServiceManager } from "./service-manager.js";
import type { RegisteredService, ServiceRegistry } from "./service-registry.js";

const service: ServiceKey = { host: "h1", binary: "nova-test", topic: "testtopic" };

/** A registry that records what it is asked and can be told to fail. */
class RecordingRegistry implements ServiceRegistry {
  readonly reports: number[] = [];
  failures: unknown[] = [];
  registrations = 0;
  constructor(
    private readonly events: string[],
    private readonly row: RegisteredService = { reportCount: 7 },
  ) {}
  async register(): Promise<RegisteredService> {
    this.registrations++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push("register");
    return this.row;
  }
  async sendReport(_s: ServiceKey, report: HeartbeatReport) {
    this.reports.push(report.reportCount);
    return { lastSeenUp: 0, updatedAt: 0 };
  }
  async close(): Promise<void> {
    this.events.push("registry close");
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("NovaService", () => {
  const transports: Transport[] = [];
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
  });

  function setup({
    manager: managerOverrides,
    ...over
  }: Partial<Omit<NovaServiceOptions, "manager">> & { manager?: Partial<ServiceManager> } = {}) {
    const broker = new FakeBroker();
    const transport = new Transport("fake://", { fakeBroker: broker });
    const callerTransport = new Transport("fake://", { fakeBroker: broker });
    transports.push(transport, callerTransport);
    const clock = new FakeClock(0);
    const events: string[] = [];
    const registry = new RecordingRegistry(events);
    const periodicRuns: number[] = [];
    const periodic = new PeriodicTask(
      { name: "tick", spacingMs: 60_000 },
      () => void periodicRuns.push(clock.now()),
      clock,
      new MemoryLogger(),
    );
    const manager: ServiceManager = {
      initHost: async () => void events.push("initHost"),
      preStartHook: async () => void events.push("preStartHook"),
      endpoints: () => {
        events.push("endpoints");
        return [{ methods: { ping: (_ctx: unknown, args: { n: number }) => `pong ${args.n}` } }];
      },
      postStartHook: async () => void events.push("postStartHook"),
      periodicTasks: () => {
        events.push("periodicTasks");
        return [periodic];
      },
      drainWhileServing: async () => void events.push("drainWhileServing"),
      drain: async () => void events.push("drain"),
      cleanupHost: async () => void events.push("cleanupHost"),
      ...managerOverrides,
    };
    const logger = new MemoryLogger();
    const svc = new NovaService({
      service,
      transport,
      manager,
      registry,
      reportInterval: 10,
      serviceDownTime: 60,
      clock,
      logger,
      ...over,
    });
    const client = new RpcClient(
      callerTransport,
      { topic: service.topic, server: service.host },
      { timeout: 5 },
    );
    return { svc, clock, events, registry, periodicRuns, client, logger };
  }

  it("starts in Nova's order, serves topic.host, heartbeats and runs its periodic tasks", async () => {
    const { svc, clock, events, registry, periodicRuns, client } = setup();
    await svc.start();
    expect(events).toEqual([
      "initHost",
      "register",
      "preStartHook",
      "endpoints",
      "postStartHook",
      "periodicTasks",
    ]);
    expect(await client.call({}, "ping", { n: 1 })).toBe("pong 1");
    await clock.runDue();
    // The first heartbeat goes at once, counting on from the row's report_count; then one per report_interval.
    expect(registry.reports).toEqual([8]);
    await clock.advance(60_000);
    expect(registry.reports).toEqual([8, 9, 10, 11, 12, 13, 14]);
    expect(periodicRuns).toEqual([60_000]);
    expect(svc.heartbeatStats).toMatchObject({ reports: 7, failures: 0 });
    await svc.stop();
  });

  it("registers through its registry but reports through the servicegroup driver it is given, which may hang", async () => {
    const sent: number[] = [];
    const left: string[] = [];
    const { svc, clock, registry, events } = setup({
      serviceGroup: {
        driver: {
          name: "test#Driver",
          reader: undefined,
          sender: {
            sendReport: (_s, report) => {
              sent.push(report.reportCount);
              // The second report hangs: the driver call's deadline fails it and the loop goes on.
              return sent.length === 2
                ? new Promise(() => {})
                : Promise.resolve({ lastSeenUp: 0, updatedAt: 0 });
            },
          },
          leave: (s) => void left.push(s.host),
        },
        callTimeoutMs: 1_000,
      },
    });
    await svc.start();
    await clock.advance(30_000);
    expect(events).toContain("register");
    expect(registry.reports).toEqual([]);
    expect(sent).toEqual([8, 9, 9, 10]);
    expect(svc.heartbeatStats).toMatchObject({ reports: 3, failures: 1 });
    await svc.stop();
    expect(left).toEqual(["h1"]);
  });

  it("stops in Nova's order: drain, stop consuming, periodic tasks, cleanup_host, leave the group", async () => {
    const { svc, clock, events, registry, periodicRuns, client } = setup();
    await svc.start();
    events.length = 0;
    await svc.stop();
    expect(events).toEqual(["drainWhileServing", "drain", "cleanupHost", "registry close"]);
    const reportsAtStop = registry.reports.length;
    await clock.advance(600_000);
    expect(registry.reports).toHaveLength(reportsAtStop);
    expect(periodicRuns).toEqual([]);
    // Nothing consumes the topic any more: a call times out.
    await expect(client.prepare({ timeout: 0.05 }).call({}, "ping", { n: 2 })).rejects.toSatisfy(
      (e: unknown) => MessagingTimeout.isInstance(e),
    );
    await expect(svc.start()).rejects.toMatchObject({ code: "SERVICE_LIFECYCLE" });
  });

  it("waits for a request in flight before stopping the periodic tasks and leaving the group", async () => {
    const gate = deferred();
    const order: string[] = [];
    const { svc, clock, client } = setup({
      manager: {
        endpoints: () => [{ methods: { slow: () => gate.promise.then(() => "done") } }],
        cleanupHost: async () => void order.push("cleanupHost"),
      },
    });
    await svc.start();
    const reply = client.call({}, "slow", {});
    await clock.runDue();
    await until(() => svc.inFlight === 1);
    const stopped = svc.stop().then(() => order.push("stopped"));
    await clock.runDue();
    expect(order).toEqual([]);
    gate.resolve();
    expect(await reply).toBe("done");
    await stopped;
    expect(order).toEqual(["cleanupHost", "stopped"]);
  });

  it("gives up on a drain longer than graceful_shutdown_timeout, and still stops the rest", async () => {
    const never = new Promise<void>(() => {});
    const { svc, clock, events, registry, logger } = setup({
      gracefulShutdownTimeout: 30,
      manager: { drain: () => never, cleanupHost: async () => void events.push("cleanupHost") },
    });
    await svc.start();
    events.length = 0;
    let done = false;
    const stopped = svc.stop().then(() => {
      done = true;
    });
    await clock.advance(29_000);
    expect(done).toBe(false);
    await clock.advance(1_000);
    await stopped;
    expect(events).toEqual(["drainWhileServing", "cleanupHost", "registry close"]);
    expect(
      logger.records.some((r) => r.level === "error" && /graceful shutdown timeout/.test(r.message ?? "")),
    ).toBe(true);
    const reports = registry.reports.length;
    await clock.advance(60_000);
    expect(registry.reports).toHaveLength(reports);
  });

  it("retries a registration the conductor did not answer, and fails a start whose registration failed otherwise", async () => {
    const { svc, registry, events, logger } = setup();
    registry.failures = [new MessagingTimeout("m1", 1000), new MessagingTimeout("m2", 1000)];
    await svc.start();
    expect(registry.registrations).toBe(3);
    expect(
      logger.records.filter((r) => /Timed out waiting for nova-conductor/.test(r.message ?? "")),
    ).toHaveLength(2);
    expect(events[1]).toBe("register");
    await svc.stop();

    const broken = setup();
    broken.registry.failures = [new Error("no such table: services")];
    await expect(broken.svc.start()).rejects.toThrow("no such table");
    // Nothing was served, nothing is left running.
    expect(broken.events).toEqual(["initHost", "drain", "cleanupHost", "registry close"]);
  });

  it("in the background, serves at once and registers when the conductor answers", async () => {
    const { svc, clock, registry, events, client } = setup({
      registration: "background",
      registrationRetryDelayMs: 5_000,
    });
    registry.failures = [new Error("conductor refused"), new MessagingTimeout("m", 1000)];
    await svc.start();
    expect(events).not.toContain("register");
    expect(await client.call({}, "ping", { n: 3 })).toBe("pong 3");
    expect(registry.reports).toEqual([]);
    await clock.advance(4_999);
    expect(events).not.toContain("register");
    await clock.advance(1);
    expect(events).toContain("register");
    expect(registry.reports).toEqual([8]);
    await svc.stop();
  });

  it("starts no heartbeat with report_interval 0, as Nova", async () => {
    const { svc, clock, registry, events } = setup({ reportInterval: 0 });
    await svc.start();
    await clock.advance(600_000);
    expect(events).toContain("register");
    expect(registry.reports).toEqual([]);
    await svc.stop();
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  expect(cond()).toBe(true);
}
