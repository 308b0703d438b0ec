import type { Instance } from "@nova/objects";
import { InstanceNotFound, type NovaContext, UnexpectedTaskStateError } from "@nova/rpcapi";
import { ACTION_STATES, checkActionState } from "./action-states.js";
import type { ComputeManager } from "./compute-manager.js";
import { decodeInjectedFiles, toDriverInstance, toImageMeta } from "./driver-mapping.js";
import { imageDict } from "./lifecycle-images.js";
import { PreserveEphemeralNotSupported } from "./preserve-ephemeral-not-supported.js";

/** rebuild_instance's arguments the compute reads (a rebuild on the instance's own host). */
export interface RebuildArgs {
  /** The image to rebuild from (the API already wrote it into instance.image_ref). */
  imageRef: string;
  /** The admin password to set in the guest. */
  newPass: string | null;
  /** Nova's `[path, base64]` pairs. */
  injectedFiles: unknown;
  /** Keep the ephemeral disk: only drivers with their own rebuild can (none here). */
  preserveEphemeral: boolean;
}

/**
 * Nova's rebuild on the same host, by its default path (_rebuild_default_impl, which libvirt and the fake
 * driver use): power off, destroy, task rebuild_block_device_mapping then rebuild_spawning, spawn from the new
 * image, then ACTIVE with a new launched_at; a guest that was STOPPED is stopped again. The claim does not move:
 * same host, same flavor. A failure leaves the instance in ERROR with a fault (_error_out_instance_on_exception).
 */
export function rebuildInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  args: RebuildArgs,
): Promise<void> {
  const { driver, conductor, config, clock } = m.deps;
  return m.runAction(ctx, instance, "compute_rebuild_instance", ACTION_STATES.rebuild, async (t) => {
    checkActionState(t.current, ACTION_STATES.rebuild);
    const uuid = t.current.uuid!;
    const origVmState = t.current.vm_state;
    const ref = m.ref(t.current);
    try {
      if (args.preserveEphemeral) throw new PreserveEphemeralNotSupported();
      const image = await imageDict(m, args.imageRef || t.current.image_ref);
      await m.powerOffGuest(t.current, true);
      await m.driverCall(uuid, () => driver.destroy(ref));
      t.current = await conductor.instanceSave(
        ctx,
        { ...t.current, task_state: "rebuild_block_device_mapping" },
        ["task_state"],
        { expectedTaskState: ["rebuilding"] },
      );
      t.current = await conductor.instanceSave(
        ctx,
        { ...t.current, task_state: "rebuild_spawning" },
        ["task_state"],
        { expectedTaskState: ["rebuild_block_device_mapping"] },
      );
      await m.driverCall(uuid, () =>
        driver.spawn({
          instance: toDriverInstance(t.current, config.instance_name_template, ctx),
          imageMeta: toImageMeta(image),
          injectedFiles: decodeInjectedFiles(args.injectedFiles),
          ...(args.newPass ? { adminPassword: args.newPass } : {}),
        }),
      );
      t.current = await conductor.instanceSave(
        ctx,
        {
          ...t.current,
          power_state: await m.powerStateOf(ref),
          vm_state: "active",
          task_state: null,
          launched_at: new Date(clock.now()),
        },
        ["power_state", "vm_state", "task_state", "launched_at"],
        { expectedTaskState: ["rebuild_spawning"] },
      );
    } catch (err) {
      if (!(err instanceof InstanceNotFound) && !(err instanceof UnexpectedTaskStateError)) {
        await m.setErrorState(ctx, t, []);
      }
      throw err;
    }
    if (origVmState === "stopped") {
      // As Nova: a stopped guest comes back stopped (stop_instance after the rebuild).
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
