import { type Instance, InstanceListCodec } from "@nova/objects";
import { adminContext, type NovaContext } from "@nova/rpcapi";
import { PowerState } from "@nova/virt";
import { ACTION_STATES, checkActionState } from "./action-states.js";
import type { ComputeManager, Tracked } from "./compute-manager.js";
import { toDriverInstance, toImageMeta } from "./driver-mapping.js";
import { deleteImageQuietly, imageDict, imageStore } from "./lifecycle-images.js";
import { takeSnapshot } from "./snapshot-flow.js";

/** The system metadata keys a shelve writes and an unshelve removes (Nova's). */
export const SHELVED_KEYS = ["shelved_at", "shelved_image_id", "shelved_host"] as const;

/**
 * Nova's shelve_instance: the guest is powered off (at once when paused), snapshotted into the queued image
 * (task shelving_image_pending_upload, shelving_image_uploading), and the instance is SHELVED with shelved_at,
 * shelved_image_id and shelved_host in its system metadata. With `shelved_offload_time` 0 it is offloaded at once.
 */
export function shelveInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  imageId: string | null,
  cleanShutdown: boolean,
): Promise<void> {
  const { conductor, config, clock, host } = m.deps;
  return m.runAction(ctx, instance, "compute_shelve_instance", ACTION_STATES.shelve, async (t) => {
    checkActionState(t.current, ACTION_STATES.shelve);
    const offload = config.shelved_offload_time === 0;
    const clean = t.current.power_state === PowerState.PAUSED ? false : cleanShutdown;
    await m.powerOffGuest(t.current, clean);
    if (imageId) {
      try {
        await takeSnapshot(m, ctx, t, imageStore(m, t.current), imageId, {
          pending_upload: ["shelving_image_pending_upload", "shelving"],
          uploading: ["shelving_image_uploading", "shelving_image_pending_upload"],
        });
      } catch (err) {
        await deleteImageQuietly(m, imageId, "shelve failed");
        throw err;
      }
    }
    const systemMetadata = {
      ...(t.current.system_metadata ?? {}),
      shelved_at: new Date(clock.now()).toISOString(),
      shelved_image_id: imageId ?? "",
      shelved_host: host,
    };
    t.current = await conductor.instanceSave(
      ctx,
      {
        ...t.current,
        vm_state: "shelved",
        task_state: offload ? "shelving_offloading" : null,
        power_state: await m.powerStateOf(m.ref(t.current)),
        system_metadata: systemMetadata,
      },
      ["vm_state", "task_state", "power_state", "system_metadata"],
      { expectedTaskState: ["shelving", "shelving_image_uploading"] },
    );
    if (offload) await offloadGuest(m, ctx, t, false);
  });
}

/** Nova's shelve_offload_instance: the shelved guest leaves its host (see offloadGuest). */
export function shelveOffloadInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  cleanShutdown: boolean,
): Promise<void> {
  return m.runAction(
    ctx,
    instance,
    "compute_shelve_offload_instance",
    ACTION_STATES.shelveOffload,
    async (t) => {
      checkActionState(t.current, ACTION_STATES.shelveOffload);
      await offloadGuest(m, ctx, t, cleanShutdown);
    },
  );
}

/**
 * Powers off and destroys the guest, then saves SHELVED_OFFLOADED with no host or node, expecting shelving or
 * shelving_offloading. That save is what gives the host's claim back: the conductor releases what a row held on
 * the host it leaves for shelved_offloaded (Nova's delete_allocation_for_shelve_offloaded_instance).
 */
async function offloadGuest(
  m: ComputeManager,
  ctx: NovaContext,
  t: Tracked,
  cleanShutdown: boolean,
): Promise<void> {
  const { driver, conductor, scheduler, host } = m.deps;
  const uuid = t.current.uuid!;
  const ref = m.ref(t.current);
  await m.powerOffGuest(t.current, cleanShutdown);
  const power = await m.powerStateOf(ref);
  await m.driverCall(uuid, () => driver.destroy(ref));
  t.current = await conductor.instanceSave(
    ctx,
    {
      ...t.current,
      power_state: power,
      vm_state: "shelved_offloaded",
      task_state: null,
      host: null,
      node: null,
    },
    ["power_state", "vm_state", "task_state", "host", "node"],
    { expectedTaskState: ["shelving", "shelving_offloading"] },
  );
  await m.fanout("delete_instance_info", () => scheduler.deleteInstanceInfo(ctx, host, uuid));
}

/** unshelve_instance's arguments the compute reads. */
export interface UnshelveArgs {
  /** The shelved image (Glance's fields); read from the catalogue by shelved_image_id when absent. */
  image: Record<string, unknown> | null;
  /** The node the scheduler picked. */
  node: string | null;
}

/**
 * Nova's unshelve_instance on the host the conductor scheduled (the row already names it, holding its
 * claim): task spawning, spawn from the shelved image, the snapshot deleted and the shelve keys removed, then
 * ACTIVE. A failed spawn puts the row back SHELVED_OFFLOADED with no host (which gives the claim back) and
 * the error goes back to the conductor's call.
 */
export function unshelveInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  args: UnshelveArgs,
): Promise<void> {
  const { driver, conductor, scheduler, config, clock, host, logger } = m.deps;
  return m.runAction(ctx, instance, "compute_unshelve_instance", ACTION_STATES.unshelve, async (t) => {
    checkActionState(t.current, ACTION_STATES.unshelve);
    const uuid = t.current.uuid!;
    t.current = await conductor.instanceSave(
      ctx,
      { ...t.current, task_state: "spawning", host, ...(args.node ? { node: args.node } : {}) },
      ["task_state", "host", ...(args.node ? (["node"] as const) : [])],
      { expectedTaskState: ["unshelving"] },
    );
    const shelvedImageId = t.current.system_metadata?.shelved_image_id || null;
    const image = args.image ?? (await imageDict(m, shelvedImageId ?? t.current.image_ref));
    const ref = m.ref(t.current);
    try {
      await m.driverCall(uuid, () =>
        driver.spawn({
          instance: toDriverInstance(t.current, config.instance_name_template, ctx),
          imageMeta: toImageMeta(image),
        }),
      );
    } catch (err) {
      logger.warn(
        { instance_uuid: uuid, host, err: err instanceof Error ? err.message : String(err) },
        "unshelve spawn failed",
      );
      await driver.destroy(ref).catch(() => undefined);
      t.current = await conductor.instanceSave(
        ctx,
        { ...t.current, vm_state: "shelved_offloaded", task_state: null, host: null, node: null },
        ["vm_state", "task_state", "host", "node"],
        { expectedTaskState: ["spawning"] },
      );
      throw err;
    }
    const unshelved = unshelvedSystemMetadata(t.current);
    t.current = await conductor.instanceSave(
      ctx,
      {
        ...t.current,
        vm_state: "active",
        task_state: null,
        power_state: await m.powerStateOf(ref),
        launched_at: new Date(clock.now()),
        launched_on: host,
        ...(unshelved ? { system_metadata: unshelved.systemMetadata } : {}),
      },
      [
        "vm_state",
        "task_state",
        "power_state",
        "launched_at",
        "launched_on",
        ...(unshelved ? (["system_metadata"] as const) : []),
      ],
      { expectedTaskState: ["spawning"] },
    );
    if (unshelved?.imageId) await deleteShelvedImage(m, unshelved.imageId);
    await m.fanout("update_instance_info", () =>
      scheduler.updateInstanceInfo(ctx, host, InstanceListCodec.toPrimitive([t.current])),
    );
  });
}

/**
 * The system metadata without the shelve keys, and the shelved snapshot to delete, for an instance coming back
 * from a shelve (Nova's remove_shelved_keys_from_system_metadata); undefined when it carries none.
 */
export function unshelvedSystemMetadata(
  instance: Partial<Instance>,
): { systemMetadata: Record<string, string | null>; imageId: string | null } | undefined {
  const sm = instance.system_metadata;
  if (!sm || !SHELVED_KEYS.some((k) => k in sm)) return undefined;
  const rest: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(sm)) if (!(SHELVED_KEYS as readonly string[]).includes(k)) rest[k] = v;
  return { systemMetadata: rest, imageId: sm.shelved_image_id || null };
}

/** Deletes the snapshot a shelve took, once the instance runs again (Nova's _delete_snapshot_of_shelved_instance). */
export function deleteShelvedImage(m: ComputeManager, imageId: string): Promise<void> {
  return deleteImageQuietly(m, imageId, "unshelved");
}

/**
 * Nova's _poll_shelved_instances: with `shelved_offload_time` > 0, every SHELVED instance of this host with no
 * task, shelved longer than that, is offloaded (task shelving_offloading, expecting none).
 */
export async function pollShelvedInstances(m: ComputeManager): Promise<void> {
  const { config, conductor, clock, host, logger } = m.deps;
  if (config.shelved_offload_time <= 0) return;
  const ctx = adminContext();
  const cutoff = clock.now() - config.shelved_offload_time * 1000;
  for (const instance of await conductor.instancesGetByHost(ctx, host)) {
    if (instance.vm_state !== "shelved" || (instance.task_state ?? null) !== null) continue;
    const shelvedAt = Date.parse(instance.system_metadata?.shelved_at ?? "");
    if (!(shelvedAt <= cutoff)) continue;
    try {
      const claimed = await conductor.instanceSave(
        ctx,
        { ...instance, task_state: "shelving_offloading" },
        ["task_state"],
        {
          expectedTaskState: [null],
        },
      );
      await shelveOffloadInstance(m, ctx, claimed, false);
    } catch (err) {
      logger.warn(
        { instance_uuid: instance.uuid, err: err instanceof Error ? err.message : String(err) },
        "could not offload a shelved instance",
      );
    }
  }
}
