import { randomBytes } from "node:crypto";
import type { Instance } from "@nova/objects";
import type { NovaContext } from "@nova/rpcapi";
import { OperationNotSupportedError } from "@nova/virt";
import { ACTION_STATES, checkActionState } from "./action-states.js";
import type { ComputeManager } from "./compute-manager.js";
import { toDriverInstance, toImageMeta } from "./driver-mapping.js";
import { InstanceNotRescuable } from "./instance-not-rescuable.js";
import { imageDict } from "./lifecycle-images.js";

/** rescue_instance's arguments. */
export interface RescueArgs {
  /** The password of the rescue guest; one is generated when none is given (as Nova). */
  rescuePassword: string | null;
  /** The image to rescue from; the instance's own image when none. */
  rescueImageRef: string | null;
  /** Give the guest a chance to shut down first. */
  cleanShutdown: boolean;
}

/**
 * Nova's rescue_instance: the guest is powered off and booted from the rescue image with its own disk attached;
 * then vm_state rescued, no task, a new launched_at, expecting rescuing. A driver failure leaves the instance
 * in ERROR and answers InstanceNotRescuable (a fault records why).
 */
export function rescueInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  args: RescueArgs,
): Promise<void> {
  const { driver, conductor, config, clock } = m.deps;
  return m.runAction(ctx, instance, "compute_rescue_instance", ACTION_STATES.rescue, async (t) => {
    checkActionState(t.current, ACTION_STATES.rescue);
    const uuid = t.current.uuid!;
    const image = await imageDict(m, args.rescueImageRef ?? t.current.image_ref);
    const password = args.rescuePassword ?? randomBytes(9).toString("base64url");
    try {
      await m.powerOffGuest(t.current, args.cleanShutdown);
      const rescue = driver.rescue?.bind(driver);
      if (!rescue)
        throw new OperationNotSupportedError("The hypervisor driver", "rescue", { instanceUuid: uuid });
      await m.driverCall(uuid, () =>
        rescue(toDriverInstance(t.current, config.instance_name_template, ctx), {
          imageMeta: toImageMeta(image),
          rescuePassword: password,
        }),
      );
    } catch (err) {
      await m.setErrorState(ctx, t, []);
      throw new InstanceNotRescuable({
        instance_id: uuid,
        reason: `Driver Error: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    const ref = m.ref(t.current);
    t.current = await conductor.instanceSave(
      ctx,
      {
        ...t.current,
        vm_state: "rescued",
        task_state: null,
        power_state: await m.powerStateOf(ref),
        launched_at: new Date(clock.now()),
      },
      ["vm_state", "task_state", "power_state", "launched_at"],
      { expectedTaskState: ["rescuing"] },
    );
  });
}

/**
 * Nova's unrescue_instance: the rescue guest goes and the instance's own guest runs again; vm_state active, no
 * task, expecting unrescuing. A driver failure leaves the instance in ERROR.
 */
export function unrescueInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
): Promise<void> {
  const { driver } = m.deps;
  return m.runAction(ctx, instance, "compute_unrescue_instance", ACTION_STATES.unrescue, async (t) => {
    checkActionState(t.current, ACTION_STATES.unrescue);
    const uuid = t.current.uuid!;
    const ref = m.ref(t.current);
    try {
      const unrescue = driver.unrescue?.bind(driver);
      if (!unrescue)
        throw new OperationNotSupportedError("The hypervisor driver", "unrescue", { instanceUuid: uuid });
      await m.driverCall(uuid, () => unrescue(ref));
    } catch (err) {
      await m.setErrorState(ctx, t, []);
      throw err;
    }
    await m.finish(ctx, t, ref, "active", ["unrescuing"]);
  });
}
