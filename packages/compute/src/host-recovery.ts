import type { Logger } from "@nova/core";
import type { Instance, Migration } from "@nova/objects";
import { adminContext, type ConductorObjectsAPI } from "@nova/rpcapi";
import { type ComputeDriver, PowerState } from "@nova/virt";
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES } from "./action-states.js";
import type { ComputeManager } from "./compute-manager.js";
import { toDriverInstance } from "./driver-mapping.js";

// Tasks that cannot be resumed safely after a restart: the task is cleared and the power state re-read.
const REVERTED: readonly string[] = [
  "pausing",
  "unpausing",
  "suspending",
  "resuming",
  ...SOFT_REBOOT_STATES,
  ...HARD_REBOOT_STATES,
];

/**
 * The part of Nova's init_host/_init_instance that recovers instances a compute restart left mid-operation:
 * a delete is completed, a stop or start is done again, and a pause, unpause, suspend, resume or reboot has its
 * task cleared (with the guest's power state recorded) so the user can retry; Nova retries reboots instead.
 * A resize or cold migration killed on this source in resize_migrating is rolled back as Nova's: the driver
 * reverts the guest and the task is cleared; its migration ends in `error` (Nova leaves it `migrating` and
 * lets the destination's resource audit skip it; our claims are explicit, so ending the move gives the
 * destination's claim back: docs/decisions/2026-12-07-resize-source-killed.md). The same move whose task an
 * operator already reset (reset-state while this compute was down) has its guest brought back and ends alike.
 * Builds are left alone: in nova-ts the conductor owns a build's outcome (it sees the lost call and reschedules or fails it).
 */
export async function recoverInstances(opts: {
  host: string;
  conductor: ConductorObjectsAPI;
  manager: ComputeManager;
  driver: ComputeDriver;
  instanceNameTemplate: string;
  logger: Logger;
}): Promise<{ recovered: string[] }> {
  const { host, conductor, manager, logger } = opts;
  const ctx = adminContext();
  const instances = await conductor.instancesGetByHost(ctx, host);
  // The moves this source was powering off and moving (its resize_instance step): none outlives the process.
  const interrupted = await interruptedSourceMoves(conductor, host).catch((err: unknown) => {
    logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      "could not list the moves interrupted on this source",
    );
    return [];
  });
  const recovered: string[] = [];
  await Promise.all(
    instances.map(async (instance) => {
      const task = instance.task_state ?? null;
      if (!instance.uuid || instance.deleted) return;
      const moves = interrupted.filter((m) => m.instance_uuid === instance.uuid);
      if (task === null && moves.length > 0) {
        await endResetMove(opts, instance, moves);
        return;
      }
      if (task === null) return;
      try {
        if (task === "deleting") await manager.terminateInstance(ctx, instance);
        else if (task === "powering-off") await manager.stopInstance(ctx, instance, true);
        else if (task === "powering-on") await manager.startInstance(ctx, instance);
        else if (REVERTED.includes(task)) await clearTask(conductor, manager, instance);
        else if (task === "resize_migrating") await revertCrashedResize(opts, instance, moves);
        else return;
        recovered.push(instance.uuid);
        logger.info({ instance_uuid: instance.uuid, task_state: task }, "recovered an interrupted task");
      } catch (err) {
        logger.warn(
          {
            instance_uuid: instance.uuid,
            task_state: task,
            err: err instanceof Error ? err.message : String(err),
          },
          "could not recover an interrupted task",
        );
      }
    }),
  );
  return { recovered };
}

async function clearTask(
  conductor: ConductorObjectsAPI,
  manager: ComputeManager,
  instance: Partial<Instance>,
): Promise<void> {
  const power = await manager.powerStateOf(manager.ref(instance));
  await conductor.instanceSave(
    adminContext(),
    { ...instance, task_state: null, power_state: power },
    ["task_state", "power_state"],
    { expectedTaskState: [instance.task_state ?? null] },
  );
}

/**
 * Nova's _init_instance for RESIZE_MIGRATING: the source died in migrate_disk_and_power_off, so the move is
 * rolled back here (the disks were kept on the source). A driver that cannot revert is logged, and the task is
 * cleared all the same, as Nova's `finally`.
 */
async function revertCrashedResize(
  opts: Parameters<typeof recoverInstances>[0],
  instance: Partial<Instance>,
  moves: Partial<Migration>[],
): Promise<void> {
  await revertGuest(opts, instance);
  await endMoves(opts.conductor, moves);
  await clearTask(opts.conductor, opts.manager, instance);
}

// An operator reset the task while this compute was down: the guest comes back and the move ends, as above.
async function endResetMove(
  opts: Parameters<typeof recoverInstances>[0],
  instance: Partial<Instance>,
  moves: Partial<Migration>[],
): Promise<void> {
  try {
    if ((await opts.manager.powerStateOf(opts.manager.ref(instance))) === PowerState.NOSTATE) {
      await revertGuest(opts, instance);
    }
    await endMoves(opts.conductor, moves);
    opts.logger.info({ instance_uuid: instance.uuid }, "ended a move interrupted on its source");
  } catch (err) {
    opts.logger.warn(
      { instance_uuid: instance.uuid, err: err instanceof Error ? err.message : String(err) },
      "could not end a move interrupted on its source",
    );
  }
}

async function revertGuest(
  opts: Parameters<typeof recoverInstances>[0],
  instance: Partial<Instance>,
): Promise<void> {
  try {
    const powerOn = instance.system_metadata?.old_vm_state !== "stopped";
    await opts.driver.finishRevertMigration(
      toDriverInstance(instance, opts.instanceNameTemplate, adminContext()),
      powerOn,
    );
  } catch (err) {
    opts.logger.warn(
      { instance_uuid: instance.uuid, err: err instanceof Error ? err.message : String(err) },
      "failed to revert crashed migration",
    );
  }
}

// `error` ends the move: the conductor gives back the claim it held on the destination.
async function endMoves(conductor: ConductorObjectsAPI, moves: Partial<Migration>[]): Promise<void> {
  for (const migration of moves) {
    await conductor.migrationSave(adminContext(), { ...migration, status: "error" }, ["status"]);
  }
}

async function interruptedSourceMoves(
  conductor: ConductorObjectsAPI,
  host: string,
): Promise<Partial<Migration>[]> {
  const found: Partial<Migration>[] = [];
  for (const migrationType of ["resize", "migration"]) {
    found.push(
      ...(await conductor.migrationsGetByFilters(adminContext(), {
        source_compute: host,
        migration_type: migrationType,
        status: ["migrating"],
      })),
    );
  }
  return found;
}
