import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ComputeManager } from "./compute-manager.js";
import { type ComputeConfig, periodicIntervalMs } from "./config.js";
import { pollShelvedInstances } from "./shelve-flow.js";
import { reclaimQueuedDeletes } from "./soft-delete-flow.js";

/**
 * The compute's periodic tasks of soft delete and shelve, when their options turn them on:
 * `_reclaim_queued_deletes` (Nova runs it every periodic tick, 60 s; here every reclaim_instance_interval when
 * that is shorter, so a short interval is honoured) and `_poll_shelved_instances` every shelved_poll_interval.
 */
export function lifecyclePeriodicTasks(
  manager: ComputeManager,
  config: ComputeConfig,
  clock: Clock,
  logger: Logger,
): PeriodicTask[] {
  const tasks: PeriodicTask[] = [];
  if (config.reclaim_instance_interval > 0) {
    const spacingMs = Math.min(60, config.reclaim_instance_interval) * 1000;
    tasks.push(
      new PeriodicTask(
        { name: "_reclaim_queued_deletes", spacingMs },
        () => reclaimQueuedDeletes(manager),
        clock,
        logger,
      ),
    );
  }
  if (config.shelved_offload_time > 0) {
    tasks.push(
      new PeriodicTask(
        { name: "_poll_shelved_instances", spacingMs: periodicIntervalMs(config.shelved_poll_interval) },
        () => pollShelvedInstances(manager),
        clock,
        logger,
      ),
    );
  }
  return tasks;
}
