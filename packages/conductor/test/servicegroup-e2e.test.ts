// Issue 5's end-to-end proof over the real RabbitMQ and MariaDB, with short intervals (report_interval 1 s,
// service_down_time 3 s): three simulated computes report Service.save heartbeats over RPC to a conductor
// that records them in batches and runs the down-service check. Waits are bounded polls; the only timing
// asserted is the rule under test, read from the timestamps the database recorded.
import { silentLogger, systemClock } from "@nova/core";
import { type Notification, NotificationListener, Notifier, Transport } from "@nova/messaging";
import { adminContext, ConductorAPI, ConductorObjectsAPI } from "@nova/rpcapi";
import {
  createDbDriver,
  type Membership,
  parseServiceGroupConfig,
  type RecordedService,
  ServiceGroup,
  ServiceSaveHeartbeatSender,
} from "@nova/servicegroup";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConductorService, createConductorService } from "../src/conductor-service.js";
import { DbHeartbeatStore } from "../src/db-heartbeat-store.js";
import { type Databases, openDatabases } from "./support.js";

const REPORT_INTERVAL = 1;
const SERVICE_DOWN_TIME = 3;
const CHECK_PERIOD = 1; // the DownServiceMonitor checks every report_interval
const groupConfig = parseServiceGroupConfig({
  report_interval: REPORT_INTERVAL,
  service_down_time: SERVICE_DOWN_TIME,
  servicegroup_driver: "db",
});

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, for at most `limitMs`; fails the test with `what` otherwise. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(100);
  }
}

/** One nova-compute as far as liveness goes: its own connection, its service row, its heartbeat. */
interface SimCompute {
  host: string;
  transport: Transport;
  group: ServiceGroup;
  membership: Membership;
  stop(): Promise<void>;
}

async function startCompute(url: string, host: string): Promise<SimCompute> {
  const transport = new Transport(url, { options: { control_exchange: "nova" } });
  const conductor = new ConductorAPI({ transport, rpcResponseTimeout: 10, longRpcTimeout: 60 });
  const objects = new ConductorObjectsAPI(conductor);
  const ctx = adminContext();
  const row =
    (await objects.serviceGetByHostAndBinary(ctx, host, "nova-compute")) ??
    (await objects.serviceCreate(ctx, {
      host,
      binary: "nova-compute",
      topic: "compute",
      report_count: 0,
      disabled: false,
      forced_down: false,
    }));
  const sender = new ServiceSaveHeartbeatSender(
    (objinst, objmethod) => conductor.objectAction(ctx, objinst, objmethod),
    row,
  );
  const group = new ServiceGroup({
    config: groupConfig,
    driver: createDbDriver({ sender }),
    clock: systemClock,
    logger: silentLogger,
  });
  const membership = group.join(
    { host, binary: "nova-compute", topic: "compute" },
    { initialReportCount: row.report_count ?? 0 },
  );
  return {
    host,
    transport,
    group,
    membership,
    async stop() {
      await group.leaveAll();
      await transport.close();
    },
  };
}

describe("servicegroup end to end (RabbitMQ + MariaDB, report_interval 1 s, service_down_time 3 s)", () => {
  let vhost: TestVhost;
  let dbs: Databases;
  let reader: DbHeartbeatStore;
  let readerGroup: ServiceGroup;
  let conductorTransport: Transport;
  let conductor: ConductorService;
  let listenerTransport: Transport;
  let listener: NotificationListener;
  const notifications: Notification[] = [];
  const computes = new Map<string, SimCompute>();

  const startConductor = async () => {
    conductorTransport = new Transport(vhost.transportUrl, { options: { control_exchange: "nova" } });
    conductor = createConductorService({
      transport: conductorTransport,
      apiDb: dbs.apiDb,
      cellDb: dbs.cellDb,
      clock: systemClock,
      logger: silentLogger,
      notifier: new Notifier(conductorTransport),
      config: {
        host: "cond-1",
        report_interval: REPORT_INTERVAL,
        service_down_time: SERVICE_DOWN_TIME,
        instance_build_timeout: 0,
        rpc_response_timeout: 10,
      },
    });
    await conductor.start();
  };
  const stopConductor = async () => {
    await conductor.stop();
    await conductorTransport.close();
  };

  const row = async (host: string): Promise<RecordedService> => {
    const found = (await reader.listServices({ binary: "nova-compute" })).find((s) => s.host === host);
    if (!found) throw new Error(`no service row for ${host}`);
    return found;
  };
  const updates = (host: string) =>
    notifications
      .filter((n) => n.eventType === "service.update")
      .map((n) => (n.payload as { "nova_object.data": { host: string; is_up: boolean } })["nova_object.data"])
      .filter((d) => d.host === host);

  beforeAll(async () => {
    vhost = await createTestVhost("sg_e2e");
    dbs = await openDatabases("mariadb");
    reader = new DbHeartbeatStore(dbs.cellDb);
    // A reader as the scheduler or the API would be: the db driver's liveness over the services table.
    readerGroup = new ServiceGroup({
      config: groupConfig,
      driver: createDbDriver({
        sender: { sendReport: () => Promise.reject(new Error("reader only")) },
        reader,
      }),
      clock: systemClock,
      logger: silentLogger,
    });
    listenerTransport = new Transport(vhost.transportUrl, { options: { control_exchange: "nova" } });
    listener = new NotificationListener(listenerTransport, (n) => {
      notifications.push(n);
    });
    await listener.start();
    await startConductor();
    for (const host of ["cpu-1", "cpu-2", "cpu-3"])
      computes.set(host, await startCompute(vhost.transportUrl, host));
  });

  afterAll(async () => {
    for (const c of computes.values()) await c.stop();
    await stopConductor().catch(() => undefined);
    await listener?.stop();
    await listenerTransport?.close();
    await dbs?.dispose();
    await vhost?.dispose();
  });

  it("three computes report and are up", async () => {
    const up = await waitFor("three computes up with reports recorded", async () => {
      const services = await readerGroup.upServices("compute");
      return services.length === 3 && services.every((s) => s.reportCount >= 2) ? services : undefined;
    });
    expect(up.map((s) => s.host).sort()).toEqual(["cpu-1", "cpu-2", "cpu-3"]);
    for (const s of up) expect((await row(s.host)).recordedDown).toBe(false);
  });

  it("a stopped compute is recorded down within service_down_time plus one check period, and notified", async () => {
    const victim = computes.get("cpu-2")!;
    await victim.stop();
    computes.delete("cpu-2");
    const lastSeenUp = (await row("cpu-2")).lastSeenUp!;
    const down = await waitFor("cpu-2 recorded down", async () => {
      const r = await row("cpu-2");
      return r.recordedDown ? r : undefined;
    });
    // The monitor stamps updated_at when it records the transition: that is when it saw the service down.
    const after = down.updatedAt! - lastSeenUp;
    expect(after).toBeGreaterThanOrEqual(SERVICE_DOWN_TIME * 1000);
    expect(after).toBeLessThanOrEqual((SERVICE_DOWN_TIME + CHECK_PERIOD) * 1000);
    expect(readerGroup.isUp(down)).toBe(false);
    const note = await waitFor("service.update for cpu-2 down", async () =>
      updates("cpu-2").find((d) => d.is_up === false),
    );
    expect(note).toMatchObject({ host: "cpu-2", is_up: false });
    // The others kept reporting and are neither recorded down nor read down.
    for (const host of ["cpu-1", "cpu-3"]) {
      const r = await row(host);
      expect(r.recordedDown).toBe(false);
      expect(readerGroup.isUp(r)).toBe(true);
    }
  });

  it("a restarted compute is up again after its first report, and notified", async () => {
    const before = updates("cpu-2").length;
    const back = await startCompute(vhost.transportUrl, "cpu-2");
    computes.set("cpu-2", back);
    await waitFor("cpu-2's first report", async () =>
      back.membership.reporter.stats.reports >= 1 ? true : undefined,
    );
    const r = await row("cpu-2");
    expect(r.recordedDown).toBe(false);
    expect(readerGroup.isUp(r)).toBe(true);
    expect(r.lastSeenUp).toBe(back.membership.lastRecorded?.lastSeenUp);
    const note = await waitFor("service.update for cpu-2 up", async () =>
      updates("cpu-2")
        .slice(before)
        .find((d) => d.is_up === true),
    );
    expect(note).toMatchObject({ host: "cpu-2", is_up: true });
  });

  it("restarting the conductor never shows a live compute down", async () => {
    const seen: string[] = [];
    let samples = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const s of await reader.listServices({ binary: "nova-compute" })) {
          samples++;
          if (s.recordedDown || !readerGroup.isUp(s)) {
            seen.push(`${s.host} down (recorded ${s.recordedDown}, last_seen_up ${s.lastSeenUp})`);
          }
        }
        await pause(100);
      }
    })();
    const reportsBefore = new Map([...computes].map(([h, c]) => [h, c.membership.reporter.stats.reports]));
    await stopConductor();
    await startConductor();
    // Watch until every compute has had three more reports recorded through the new conductor.
    await waitFor("three reports of every compute after the restart", async () =>
      [...computes].every(([h, c]) => c.membership.reporter.stats.reports >= (reportsBefore.get(h) ?? 0) + 3)
        ? true
        : undefined,
    );
    watching = false;
    await watch;
    expect(samples).toBeGreaterThan(0);
    expect(seen).toEqual([]);
    const downNotes = ["cpu-1", "cpu-2", "cpu-3"].flatMap((h) => updates(h)).filter((d) => !d.is_up);
    // Only cpu-2's stop earlier was ever notified as down.
    expect(downNotes.map((d) => d.host)).toEqual(["cpu-2"]);
  });
});
