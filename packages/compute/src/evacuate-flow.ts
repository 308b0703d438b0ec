import type { Logger } from "@nova/core";
import type { Instance, Migration } from "@nova/objects";
import { adminContext, type ConductorObjectsAPI, type NovaContext } from "@nova/rpcapi";
import type { ComputeDriver } from "@nova/virt";
import type { ComputeManager } from "./compute-manager.js";
import { toDriverInstance, toImageMeta } from "./driver-mapping.js";
import { imageDict } from "./lifecycle-images.js";

/** rebuild_instance's arguments for an evacuation (recreate=True). */
export interface EvacuateArgs {
  /** The evacuation migration, naming this host as its destination. */
  migration: Partial<Migration>;
  /** The node the scheduler picked here. */
  scheduledNode: string | null;
  /** The admin password of the rebuilt guest. */
  newPass: string | null;
}

/**
 * Nova's rebuild_instance with recreate=True on the destination of an evacuation: the migration `pre-migrating`,
 * the instance row moves here (host and node in one save, so the migration now holds the dead source's claim),
 * the guest is spawned from the instance's image, and the migration `done` gives back the source's claim; a
 * server that was STOPPED is stopped again. A failure ends the migration `failed` and the server in ERROR here.
 */
export function evacuateInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  args: EvacuateArgs,
): Promise<void> {
  const { driver, conductor, config, clock, host } = m.deps;
  return m.runAction(ctx, instance, "compute_rebuild_instance", null, async (t) => {
    const uuid = t.current.uuid!;
    const wasStopped = t.current.vm_state === "stopped";
    let migration = args.migration;
    try {
      migration = await conductor.migrationSave(ctx, { ...migration, status: "pre-migrating" }, ["status"]);
      const image = await imageDict(m, t.current.image_ref);
      t.current = await conductor.instanceSave(
        ctx,
        {
          ...t.current,
          host,
          node: args.scheduledNode ?? m.deps.defaultNode(),
          task_state: "rebuild_spawning",
        },
        ["host", "node", "task_state"],
        { expectedTaskState: ["rebuilding"] },
      );
      await m.driverCall(uuid, () =>
        driver.spawn({
          instance: toDriverInstance(t.current, config.instance_name_template, ctx),
          imageMeta: toImageMeta(image),
          ...(args.newPass ? { adminPassword: args.newPass } : {}),
        }),
      );
      migration = await conductor.migrationSave(ctx, { ...migration, status: "done" }, ["status"]);
      t.current = await conductor.instanceSave(
        ctx,
        {
          ...t.current,
          power_state: await m.powerStateOf(m.ref(t.current)),
          vm_state: "active",
          task_state: null,
          launched_at: new Date(clock.now()),
          old_flavor: null,
          new_flavor: null,
        },
        ["power_state", "vm_state", "task_state", "launched_at", "old_flavor", "new_flavor"],
        { expectedTaskState: ["rebuild_spawning"] },
      );
    } catch (err) {
      await conductor
        .migrationSave(ctx, { ...migration, status: "failed" }, ["status"])
        .catch(() => undefined);
      await m.setErrorState(ctx, t, []);
      throw err;
    }
    if (wasStopped) {
      t.current = await conductor.instanceSave(
        ctx,
        { ...t.current, task_state: "powering-off", progress: 0 },
        ["task_state", "progress"],
        { expectedTaskState: [null] },
      );
      await m.powerOff(ctx, t, false, ["powering-off"]);
    }
  });
}

/**
 * Nova's _destroy_evacuated_instances, when a compute starts: guests still here whose instances were evacuated
 * away (an evacuation `done` from this host, the row naming another host) are destroyed, and each such migration
 * becomes `completed`, so a later start does not look at it again. The claims were given back at `done`.
 */
export async function destroyEvacuatedInstances(opts: {
  host: string;
  driver: ComputeDriver;
  conductor: ConductorObjectsAPI;
  manager: ComputeManager;
  logger: Logger;
}): Promise<string[]> {
  const { host, driver, conductor, manager, logger } = opts;
  const ctx = adminContext();
  const evacuations = await conductor.migrationsGetByFilters(ctx, {
    source_compute: host,
    migration_type: "evacuation",
    status: ["done"],
  });
  if (evacuations.length === 0) return [];
  const local = new Set(await driver.listInstanceUuids());
  const destroyed: string[] = [];
  for (const migration of evacuations) {
    const uuid = migration.instance_uuid ?? "";
    try {
      if (local.has(uuid)) {
        const instance = await conductor.instanceGetByUuid(ctx, uuid).catch(() => null);
        if (!instance || instance.host !== host) {
          await driver.destroy(manager.ref(instance ?? { uuid }));
          destroyed.push(uuid);
          logger.info({ instance_uuid: uuid }, "destroyed a guest evacuated from this host");
        }
      }
      await conductor.migrationSave(ctx, { ...migration, status: "completed" }, ["status"]);
    } catch (err) {
      logger.warn(
        { instance_uuid: uuid, err: err instanceof Error ? err.message : String(err) },
        "could not clean up after an evacuation",
      );
    }
  }
  return destroyed;
}
