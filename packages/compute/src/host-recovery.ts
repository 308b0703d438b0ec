import type { Logger } from "@nova/core";
import type { Instance } from "@nova/objects";
import { adminContext, type ConductorObjectsAPI } from "@nova/rpcapi";
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES } from "./action-states.js";
import type { ComputeManager } from "./compute-manager.js";

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
 * Builds are left alone: in nova-ts the conductor owns a build's outcome (it sees the lost call and reschedules or fails it).
 */
export async function recoverInstances(opts: {
  host: string;
  conductor: ConductorObjectsAPI;
  manager: ComputeManager;
  logger: Logger;
}): Promise<{ recovered: string[] }> {
  const { host, conductor, manager, logger } = opts;
  const ctx = adminContext();
  const instances = await conductor.instancesGetByHost(ctx, host);
  const recovered: string[] = [];
  await Promise.all(
    instances.map(async (instance) => {
      const task = instance.task_state ?? null;
      if (!instance.uuid || instance.deleted || task === null) return;
      try {
        if (task === "deleting") await manager.terminateInstance(ctx, instance);
        else if (task === "powering-off") await manager.stopInstance(ctx, instance, true);
        else if (task === "powering-on") await manager.startInstance(ctx, instance);
        else if (REVERTED.includes(task)) await clearTask(conductor, manager, instance);
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
