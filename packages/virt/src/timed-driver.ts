import { type Clock, systemClock } from "@nova/core";
import type { ComputeDriver, PowerOffOptions } from "./compute-driver.js";
import { DriverCallTimeoutError } from "./errors/driver-call-timeout.js";
import type { InstanceRef } from "./model/instance.js";

/** How long a driver's calls may take before the compute gives up on them. */
export interface DriverTimeoutOptions {
  /** The driver's name for the error (`compute_driver`'s value). */
  readonly name: string;
  /** Milliseconds a call may take; powerOff gets its own graceful timeout on top. */
  readonly timeoutMs: number;
  /** The clock the timers run on (the wall clock by default). */
  readonly clock?: Clock;
}

/**
 * `driver` with every call bounded by `timeoutMs`: a call that hangs rejects with DriverCallTimeoutError, so
 * the compute manager fails the operation (a build: reschedule, then ERROR with a fault naming the driver)
 * instead of holding the instance's lock for ever. The late answer of a timed-out call is ignored.
 */
export function withCallTimeouts(driver: ComputeDriver, opts: DriverTimeoutOptions): ComputeDriver {
  const clock = opts.clock ?? systemClock;
  const bounded = <T>(
    method: string,
    uuid: string | undefined,
    extraMs: number,
    call: () => Promise<T>,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const ms = opts.timeoutMs + extraMs;
      const timer = clock.setTimer(
        ms,
        () => reject(new DriverCallTimeoutError(opts.name, method, ms, uuid)),
        {
          keepAlive: false,
        },
      );
      let p: Promise<T>;
      try {
        p = Promise.resolve(call());
      } catch (err) {
        p = Promise.reject(err);
      }
      p.then(
        (v) => {
          timer.cancel();
          resolve(v);
        },
        (err) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  const d = driver;
  return {
    initHost: (host) => bounded("initHost", undefined, 0, () => d.initHost(host)),
    close: () => bounded("close", undefined, 0, () => d.close()),
    getAvailableNodes: () => bounded("getAvailableNodes", undefined, 0, () => d.getAvailableNodes()),
    spawn: (req) => bounded("spawn", req.instance.uuid, 0, () => d.spawn(req)),
    destroy: (i, o) => bounded("destroy", uuidOf(i), 0, () => d.destroy(i, o)),
    reboot: (i, t, o) => bounded("reboot", uuidOf(i), 0, () => d.reboot(i, t, o)),
    powerOff: (i, o?: PowerOffOptions) =>
      bounded("powerOff", uuidOf(i), (o?.timeoutSeconds ?? 0) * 1000, () => d.powerOff(i, o)),
    powerOn: (i, o) => bounded("powerOn", uuidOf(i), 0, () => d.powerOn(i, o)),
    pause: (i) => bounded("pause", uuidOf(i), 0, () => d.pause(i)),
    unpause: (i) => bounded("unpause", uuidOf(i), 0, () => d.unpause(i)),
    suspend: (i) => bounded("suspend", uuidOf(i), 0, () => d.suspend(i)),
    resume: (i, o) => bounded("resume", uuidOf(i), 0, () => d.resume(i, o)),
    prepResize: (i, f) => bounded("prepResize", uuidOf(i), 0, () => d.prepResize(i, f)),
    migrateDiskAndPowerOff: (i, dest, f, o?: PowerOffOptions) =>
      bounded("migrateDiskAndPowerOff", uuidOf(i), (o?.timeoutSeconds ?? 0) * 1000, () =>
        d.migrateDiskAndPowerOff(i, dest, f, o),
      ),
    finishMigration: (r) => bounded("finishMigration", r.instance.uuid, 0, () => d.finishMigration(r)),
    confirmMigration: (i) => bounded("confirmMigration", uuidOf(i), 0, () => d.confirmMigration(i)),
    finishRevertMigration: (i, on) =>
      bounded("finishRevertMigration", uuidOf(i), 0, () => d.finishRevertMigration(i, on)),
    getInfo: (i) => bounded("getInfo", uuidOf(i), 0, () => d.getInfo(i)),
    instanceExists: (i) => bounded("instanceExists", uuidOf(i), 0, () => d.instanceExists(i)),
    listInstances: () => bounded("listInstances", undefined, 0, () => d.listInstances()),
    listInstanceUuids: () => bounded("listInstanceUuids", undefined, 0, () => d.listInstanceUuids()),
    getConsoleOutput: (i) => bounded("getConsoleOutput", uuidOf(i), 0, () => d.getConsoleOutput(i)),
    getAvailableResource: (n) =>
      bounded("getAvailableResource", undefined, 0, () => d.getAvailableResource(n)),
    registerEventListener: (l) => d.registerEventListener(l),
    // The optional verbs stay absent when the driver lacks them (the compute then refuses the action).
    ...(d.snapshot ? { snapshot: (i, r) => bounded("snapshot", uuidOf(i), 0, () => d.snapshot!(i, r)) } : {}),
    ...(d.rescue ? { rescue: (i, r) => bounded("rescue", uuidOf(i), 0, () => d.rescue!(i, r)) } : {}),
    ...(d.unrescue ? { unrescue: (i) => bounded("unrescue", uuidOf(i), 0, () => d.unrescue!(i)) } : {}),
    // The migration itself runs as long as the guest's memory takes to copy: not bounded, as Nova's is not.
    ...liveMigrationVerbs(d, bounded),
  };
}

function uuidOf(i: InstanceRef): string {
  return i.uuid;
}

type Bounded = <T>(op: string, uuid: string | undefined, extraMs: number, fn: () => Promise<T>) => Promise<T>;

function liveMigrationVerbs(d: ComputeDriver, bounded: Bounded): Partial<ComputeDriver> {
  const out: Partial<ComputeDriver> = {};
  if (d.checkCanLiveMigrateDestination)
    out.checkCanLiveMigrateDestination = (i, o) =>
      bounded("checkCanLiveMigrateDestination", i.uuid, 0, () => d.checkCanLiveMigrateDestination!(i, o));
  if (d.checkCanLiveMigrateSource)
    out.checkCanLiveMigrateSource = (i, data) =>
      bounded("checkCanLiveMigrateSource", i.uuid, 0, () => d.checkCanLiveMigrateSource!(i, data));
  if (d.preLiveMigration)
    out.preLiveMigration = (i, data) =>
      bounded("preLiveMigration", i.uuid, 0, () => d.preLiveMigration!(i, data));
  if (d.liveMigration) out.liveMigration = (i, dest, data) => d.liveMigration!(i, dest, data);
  if (d.liveMigrationForceComplete)
    out.liveMigrationForceComplete = (i) =>
      bounded("liveMigrationForceComplete", i.uuid, 0, () => d.liveMigrationForceComplete!(i));
  if (d.liveMigrationAbort)
    out.liveMigrationAbort = (i) => bounded("liveMigrationAbort", i.uuid, 0, () => d.liveMigrationAbort!(i));
  if (d.postLiveMigrationAtDestination)
    out.postLiveMigrationAtDestination = (i) =>
      bounded("postLiveMigrationAtDestination", i.uuid, 0, () => d.postLiveMigrationAtDestination!(i));
  if (d.rollbackLiveMigrationAtDestination)
    out.rollbackLiveMigrationAtDestination = (i) =>
      bounded("rollbackLiveMigrationAtDestination", i.uuid, 0, () =>
        d.rollbackLiveMigrationAtDestination!(i),
      );
  return out;
}
