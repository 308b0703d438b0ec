import type { Instance } from "@nova/objects";
import { adminContext, type NovaContext } from "@nova/rpcapi";
import { ACTION_STATES, checkActionState } from "./action-states.js";
import type { ComputeManager } from "./compute-manager.js";

/**
 * Nova's soft_delete_instance: drivers have no soft delete here, so (Nova's fallback) the guest is powered off
 * at once and kept; vm_state soft-delete, no task, expecting soft-deleting. The host keeps its claim until the
 * reclaim (or a forceDelete) destroys the instance.
 */
export function softDeleteInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
): Promise<void> {
  return m.runAction(ctx, instance, "compute_soft_delete_instance", ACTION_STATES.softDelete, async (t) => {
    checkActionState(t.current, ACTION_STATES.softDelete);
    await m.powerOffGuest(t.current, false);
    await m.finish(ctx, t, m.ref(t.current), "soft-delete", ["soft-deleting"]);
  });
}

/** Nova's restore_instance: the guest is powered on again (the fallback of drivers without restore); ACTIVE. */
export function restoreInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
): Promise<void> {
  return m.runAction(ctx, instance, "compute_restore_instance", ACTION_STATES.restore, async (t) => {
    checkActionState(t.current, ACTION_STATES.restore);
    const ref = m.ref(t.current);
    await m.driverCall(ref.uuid, () => m.deps.driver.powerOn(ref));
    await m.finish(ctx, t, ref, "active", ["restoring"]);
  });
}

/**
 * Nova's _reclaim_queued_deletes: with `reclaim_instance_interval` > 0, every soft-deleted instance of this host
 * with no task, soft-deleted (deleted_at) longer ago than the interval, is deleted for good: task deleting,
 * expecting none and still soft-delete (a restore that got in first wins), then destroyed as a delete is.
 */
export async function reclaimQueuedDeletes(m: ComputeManager): Promise<void> {
  const { config, conductor, clock, host, logger } = m.deps;
  const interval = config.reclaim_instance_interval;
  if (interval <= 0) return;
  const ctx = adminContext();
  const cutoff = clock.now() - interval * 1000;
  for (const instance of await conductor.instancesGetByHost(ctx, host)) {
    if (instance.vm_state !== "soft-delete" || (instance.task_state ?? null) !== null) continue;
    const deletedAt = instance.deleted_at?.getTime();
    // Nova's is_older_than: strictly longer ago than the interval.
    if (deletedAt !== undefined && deletedAt >= cutoff) continue;
    const uuid = instance.uuid!;
    try {
      await m.runLocked(uuid, async () => {
        const t = {
          current: await conductor.instanceSave(
            ctx,
            { ...instance, task_state: "deleting" },
            ["task_state"],
            {
              expectedTaskState: [null],
              expectedVmState: ["soft-delete"],
            },
          ),
        };
        logger.info({ instance_uuid: uuid }, "Reclaiming deleted instance");
        await m.deleteHeld(ctx, t);
      });
    } catch (err) {
      logger.warn(
        { instance_uuid: uuid, err: err instanceof Error ? err.message : String(err) },
        "Periodic reclaim failed to delete instance",
      );
    }
  }
}
