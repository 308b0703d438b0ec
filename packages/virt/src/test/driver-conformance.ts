import type { ComputeDriver } from "../compute-driver.js";
import { missingDriverMethods } from "../compute-driver-plugin.js";
import { VirtError } from "../errors/virt-error.js";
import type { LifecycleEvent } from "../lifecycle-event.js";
import type { ImageMeta } from "../model/image-meta.js";
import type { DriverInstance, InstanceRef } from "../model/instance.js";
import { PowerState, powerStateName } from "../power-state.js";
import { testImageMeta, testInstance } from "./builders.js";

/** Behaviour a driver may not have; the checks of a feature it lacks are left out. */
export type DriverFeature = "pause" | "suspend" | "lifecycleEvents";

/** How to run the conformance checks against one driver. */
export interface DriverConformanceOptions {
  /** A fresh driver for each check; the kit calls initHost(nodename) and, at the end, close(). */
  createDriver(): ComputeDriver | Promise<ComputeDriver>;
  /** The host name passed to initHost; the driver must report it among its nodes. */
  nodename: string;
  /** Image metadata the driver can boot (default: a fake qcow2 image, enough for drivers that need no bits). */
  imageMeta?: () => ImageMeta;
  /** An instance to boot (default: testInstance()); a driver with limits (memory, names) shapes it here. */
  instance?: () => DriverInstance;
  /** Features the driver does not have. */
  without?: readonly DriverFeature[];
  /** How long a state change may take to show in getInfo, in milliseconds (default 10 000). */
  settleMs?: number;
}

/** One behaviour check: run it in your test framework (`it(check.name, check.run)`). */
export interface DriverConformanceCheck {
  /** What is checked, as a sentence. */
  readonly name: string;
  /** Resolves when the driver behaves; rejects with an Error saying what it did instead. */
  run(): Promise<void>;
}

/** The result of {@link runDriverConformance}. */
export interface DriverConformanceReport {
  /** Names of the checks that passed. */
  passed: string[];
  /** The checks that failed, with their error. */
  failed: Array<{ name: string; error: unknown }>;
}

/**
 * The behaviour every nova-compute driver must have, as checks a driver author runs against their driver (the
 * fake, libvirt and example drivers pass them): nodes and resources reported, spawn to RUNNING, the power verbs
 * and their states, idempotent destroy and power off, typed errors for a guest that is not there, console
 * output, and lifecycle events. Framework-neutral: `for (const c of driverConformanceChecks(o)) it(c.name, c.run)`.
 */
export function driverConformanceChecks(options: DriverConformanceOptions): DriverConformanceCheck[] {
  const without = new Set(options.without ?? []);
  const settleMs = options.settleMs ?? 10_000;
  const image = options.imageMeta ?? (() => testImageMeta());
  const newInstance = options.instance ?? (() => testInstance());

  // Each check on its own driver, with what it spawned destroyed and the driver closed whatever happens.
  const check = (
    name: string,
    body: (d: ComputeDriver, spawn: (powerOn?: boolean) => Promise<DriverInstance>) => Promise<void>,
  ): DriverConformanceCheck => ({
    name,
    run: async () => {
      const driver = await options.createDriver();
      const spawned: InstanceRef[] = [];
      try {
        await driver.initHost(options.nodename);
        await body(driver, async (powerOn = true) => {
          const instance = newInstance();
          spawned.push(instance);
          await driver.spawn({ instance, imageMeta: image(), powerOn });
          return instance;
        });
      } finally {
        for (const i of spawned) await driver.destroy(i).catch(() => {});
        await driver.close();
      }
    },
  });

  const settled = async (d: ComputeDriver, ref: InstanceRef, want: PowerState, after: string) => {
    const deadline = Date.now() + settleMs;
    for (;;) {
      const { state } = await d.getInfo(ref);
      if (state === want) return;
      if (Date.now() > deadline) {
        fail(`after ${after}, getInfo said ${powerStateName(state)}, expected ${powerStateName(want)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const checks: DriverConformanceCheck[] = [
    check("has every ComputeDriver method", async (d) => {
      const missing = missingDriverMethods(d);
      if (missing.length > 0) fail(`missing methods: ${missing.join(", ")}`);
    }),
    check("reports its node and the node's resources", async (d) => {
      const nodes = await d.getAvailableNodes();
      if (!nodes.includes(options.nodename))
        fail(`getAvailableNodes() = ${JSON.stringify(nodes)}, expected ${options.nodename}`);
      const r = await d.getAvailableResource(options.nodename);
      for (const k of ["vcpus", "memoryMb", "localGb", "vcpusUsed", "memoryMbUsed", "localGbUsed"] as const) {
        if (typeof r[k] !== "number" || !Number.isFinite(r[k]) || r[k] < 0)
          fail(`resource ${k} = ${String(r[k])}`);
      }
      if (r.vcpus <= 0 || r.memoryMb <= 0) fail("a node with no vcpus or memory cannot take a guest");
      if (r.hypervisorHostname !== options.nodename)
        fail(`hypervisorHostname ${r.hypervisorHostname}, expected ${options.nodename}`);
      if (typeof r.hypervisorType !== "string" || r.hypervisorType === "") fail("no hypervisorType");
    }),
    check("spawns a guest that runs and is listed", async (d, spawn) => {
      const i = await spawn();
      await settled(d, i, PowerState.RUNNING, "spawn");
      if (!(await d.instanceExists(i))) fail("instanceExists() is false after spawn");
      if (!(await d.listInstanceUuids()).includes(i.uuid)) fail("listInstanceUuids() lacks the guest");
      if (!(await d.listInstances()).includes(i.name)) fail("listInstances() lacks the guest's name");
    }),
    check("refuses a second spawn of the same guest with INSTANCE_EXISTS", async (d, spawn) => {
      const i = await spawn();
      const err = await rejection(d.spawn({ instance: i as DriverInstance, imageMeta: image() }));
      expectCode(err, "INSTANCE_EXISTS", "a second spawn");
    }),
    check("spawns shut off when asked to (powerOn false)", async (d, spawn) => {
      const i = await spawn(false);
      await settled(d, i, PowerState.SHUTDOWN, "spawn with powerOn false");
    }),
    check("powers off and on, and a second power off is no error", async (d, spawn) => {
      const i = await spawn();
      await settled(d, i, PowerState.RUNNING, "spawn");
      await d.powerOff(i);
      await settled(d, i, PowerState.SHUTDOWN, "powerOff");
      await d.powerOff(i);
      await d.powerOn(i);
      await settled(d, i, PowerState.RUNNING, "powerOn");
    }),
    check("reboots (HARD and SOFT) to RUNNING", async (d, spawn) => {
      const i = await spawn();
      await settled(d, i, PowerState.RUNNING, "spawn");
      await d.reboot(i, "HARD");
      await settled(d, i, PowerState.RUNNING, "a HARD reboot");
      await d.reboot(i, "SOFT");
      await settled(d, i, PowerState.RUNNING, "a SOFT reboot");
      await d.powerOff(i);
      await d.reboot(i, "HARD");
      await settled(d, i, PowerState.RUNNING, "a HARD reboot of a stopped guest");
    }),
    check("destroys a guest, and destroying it again is no error", async (d, spawn) => {
      const i = await spawn();
      await d.destroy(i);
      if (await d.instanceExists(i)) fail("instanceExists() is true after destroy");
      if ((await d.listInstanceUuids()).includes(i.uuid)) fail("listInstanceUuids() still has the guest");
      expectCode(await rejection(d.getInfo(i)), "INSTANCE_NOT_FOUND", "getInfo after destroy");
      await d.destroy(i);
    }),
    check("answers INSTANCE_NOT_FOUND for a guest it does not have", async (d) => {
      const ghost = newInstance();
      expectCode(await rejection(d.getInfo(ghost)), "INSTANCE_NOT_FOUND", "getInfo");
      expectCode(await rejection(d.powerOn(ghost)), "INSTANCE_NOT_FOUND", "powerOn");
      expectCode(await rejection(d.reboot(ghost, "HARD")), "INSTANCE_NOT_FOUND", "reboot");
      if (await d.instanceExists(ghost)) fail("instanceExists() is true for a guest never spawned");
      await d.destroy(ghost);
    }),
    check("gives console output as text of at most 100 KiB", async (d, spawn) => {
      const i = await spawn();
      await settled(d, i, PowerState.RUNNING, "spawn");
      const out = await d.getConsoleOutput(i);
      if (typeof out !== "string") fail(`getConsoleOutput() gave ${typeof out}`);
      if (Buffer.byteLength(out) > 100 * 1024) fail(`console output of ${Buffer.byteLength(out)} bytes`);
    }),
  ];
  if (!without.has("pause")) {
    checks.push(
      check("pauses and unpauses", async (d, spawn) => {
        const i = await spawn();
        await settled(d, i, PowerState.RUNNING, "spawn");
        await d.pause(i);
        await settled(d, i, PowerState.PAUSED, "pause");
        await d.unpause(i);
        await settled(d, i, PowerState.RUNNING, "unpause");
      }),
    );
  }
  if (!without.has("suspend")) {
    checks.push(
      check("suspends and resumes", async (d, spawn) => {
        const i = await spawn();
        await settled(d, i, PowerState.RUNNING, "spawn");
        await d.suspend(i);
        await settled(d, i, PowerState.SUSPENDED, "suspend");
        await d.resume(i);
        await settled(d, i, PowerState.RUNNING, "resume");
      }),
    );
  }
  if (!without.has("lifecycleEvents")) {
    checks.push(
      check(
        "reports stopped and started lifecycle events, and none after unsubscribing",
        async (d, spawn) => {
          const i = await spawn();
          await settled(d, i, PowerState.RUNNING, "spawn");
          const events: LifecycleEvent[] = [];
          const off = d.registerEventListener((e) => events.push(e));
          await d.powerOff(i);
          await d.powerOn(i);
          const deadline = Date.now() + settleMs;
          const seen = () => events.filter((e) => e.uuid === i.uuid).map((e) => e.transition);
          while (!(seen().includes("stopped") && seen().includes("started")) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 25));
          }
          if (!seen().includes("stopped") || !seen().includes("started"))
            fail(
              `events after powerOff and powerOn: ${JSON.stringify(seen())}, expected stopped and started`,
            );
          off();
          const count = events.length;
          await d.powerOff(i);
          await settled(d, i, PowerState.SHUTDOWN, "powerOff");
          if (events.length !== count) fail("an unsubscribed listener still got events");
        },
      ),
    );
  }
  return checks;
}

/** Runs every check in order and reports which passed and which failed (for scripts and other frameworks). */
export async function runDriverConformance(
  options: DriverConformanceOptions,
): Promise<DriverConformanceReport> {
  const report: DriverConformanceReport = { passed: [], failed: [] };
  for (const c of driverConformanceChecks(options)) {
    try {
      await c.run();
      report.passed.push(c.name);
    } catch (error) {
      report.failed.push({ name: c.name, error });
    }
  }
  return report;
}

function fail(message: string): never {
  throw new Error(`driver conformance: ${message}`);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return fail("the call succeeded; it should have failed");
}

function expectCode(err: unknown, code: string, what: string): void {
  if (!VirtError.isInstance(err) || err.code !== code) {
    const got = VirtError.isInstance(err)
      ? err.code
      : err instanceof Error
        ? `${err.name}: ${err.message}`
        : String(err);
    fail(`${what} failed with ${got}, expected a VirtError ${code}`);
  }
}
