import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import { type CellDatabase, NovaDbError } from "@nova/db";
import type { InstanceActivityObserver } from "@nova/objects";
import { InstanceBuildTimeout } from "./errors/build-timeout-error.js";
import { instanceResources, releaseOnNode } from "./instance-claims.js";
import { recordInstanceFault } from "./instance-fault.js";

/** Options of a {@link BuildTimeoutMonitor}. */
export interface BuildTimeoutMonitorOptions {
  /** The cell database whose BUILDING instances are checked. */
  cellDb: CellDatabase;
  /** Measures build age and spaces the checks. */
  clock: Clock;
  /** Where timed-out builds and failed checks are reported. */
  logger: Logger;
  /** `instance_build_timeout` (s); 0 turns the check off, as in Nova. */
  buildTimeout: number;
  /** Seconds between checks. */
  intervalSec: number;
  /** Recorded as the fault's host. */
  host: string;
  /** Told of reschedules and faults (metrics); none by default. */
  activity?: InstanceActivityObserver | undefined;
}

/**
 * Nova's `_check_instance_build_time`, run by the conductor so it also covers builds whose conductor died:
 * an instance still BUILDING longer than instance_build_timeout after it was created goes to ERROR with a
 * fault, and gives back the claim on the host it names. The write is conditional on the state it was
 * seen in, so a build finishing (or a delete) at that moment wins.
 */
export class BuildTimeoutMonitor {
  private readonly task: PeriodicTask;

  /**
   * A stopped monitor: `start()` schedules the check every `intervalSec`, or never when `buildTimeout` is 0.
   */
  constructor(private readonly opts: BuildTimeoutMonitorOptions) {
    // Nova's _check_instance_build_time is a periodic task: spacing start to start, never two at once.
    this.task = new PeriodicTask(
      {
        name: "check_instance_build_time",
        spacingMs: opts.buildTimeout > 0 ? opts.intervalSec * 1000 : null,
      },
      async () => {
        await this.check();
      },
      opts.clock,
      opts.logger,
    );
  }

  /** Starts checking every intervalSec (no-op when the timeout is 0). */
  start(): void {
    this.task.start();
  }

  /** Stops checking; waits for a check in progress. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One check now; returns the uuids of the instances it failed. */
  async check(): Promise<string[]> {
    const { cellDb, clock, logger, buildTimeout, host } = this.opts;
    if (buildTimeout <= 0) return [];
    const cutoff = clock.now() - buildTimeout * 1000;
    const building = await cellDb.instances.list(
      { vm_state: ["building"] },
      { sortKeys: ["id"], sortDirs: ["asc"] },
    );
    const failed: string[] = [];
    for (const inst of building) {
      const created = inst.created_at?.getTime();
      if (created === undefined || created > cutoff) continue;
      try {
        await cellDb.instances.update(
          inst.uuid,
          { vm_state: "error", task_state: null, host: null, node: null },
          { expectedVmState: "building", expectedTaskState: inst.task_state ?? null },
        );
      } catch (err) {
        // It moved on (finished, rescheduled, deleted) since we read it: not stuck after all.
        if (NovaDbError.isInstance(err)) continue;
        throw err;
      }
      await releaseOnNode(cellDb, inst.host, inst.node, instanceResources(inst));
      const error = new InstanceBuildTimeout({ instance_uuid: inst.uuid, timeout: buildTimeout });
      await recordInstanceFault(
        cellDb,
        inst.uuid,
        error,
        host,
        `task_state was ${inst.task_state ?? "None"}`,
        this.opts.activity,
      );
      logger.warn(
        { instance_uuid: inst.uuid, task_state: inst.task_state },
        "Instance build timed out; set to ERROR",
      );
      failed.push(inst.uuid);
    }
    return failed;
  }
}
