import type { ImageRecord, ImageStore } from "@nova/image-catalog";
import type { Instance, TaskState } from "@nova/objects";
import { InstanceNotFound, type NovaContext, UnexpectedDeletingTaskStateError } from "@nova/rpcapi";
import { OperationNotSupportedError, type SnapshotResult, type SnapshotStep } from "@nova/virt";
import { ACTION_STATES, checkActionState } from "./action-states.js";
import type { ComputeManager, Tracked } from "./compute-manager.js";
import { deleteImageQuietly, imageStore } from "./lifecycle-images.js";

/** A plain snapshot (createImage), or a backup kept in a rotation of `rotation` per `backupType`. */
export type SnapshotKind = { kind: "snapshot" } | { kind: "backup"; backupType: string; rotation: number };

/**
 * Nova's snapshot_instance and backup_instance: task image_snapshot (a backup stays image_backup), the driver's
 * steps image_pending_upload and image_uploading, the queued image filled and made active, then no task. Any
 * failure removes the image (delete_image_on_error); an instance deleted meanwhile ends it quietly. A backup then
 * keeps the newest `rotation` backups of its type for the instance and deletes the older ones.
 */
export function snapshotInstance(
  m: ComputeManager,
  ctx: NovaContext,
  instance: Partial<Instance>,
  imageId: string,
  what: SnapshotKind,
): Promise<void> {
  const states = what.kind === "backup" ? ACTION_STATES.backup : ACTION_STATES.snapshot;
  const event = what.kind === "backup" ? "compute_backup_instance" : "compute_snapshot_instance";
  return m.runAction(ctx, instance, event, states, async (t) => {
    checkActionState(t.current, states);
    const images = imageStore(m, t.current);
    let expected: TaskState = "image_backup";
    try {
      if (what.kind === "snapshot") {
        t.current = await m.deps.conductor.instanceSave(
          ctx,
          { ...t.current, task_state: "image_snapshot" },
          ["task_state"],
          { expectedTaskState: ["image_snapshot_pending"] },
        );
        expected = "image_snapshot";
      }
      await takeSnapshot(m, ctx, t, images, imageId, {
        pending_upload: ["image_pending_upload", expected],
        uploading: ["image_uploading", "image_pending_upload"],
      });
      t.current = await m.deps.conductor.instanceSave(
        ctx,
        { ...t.current, task_state: null },
        ["task_state"],
        {
          expectedTaskState: ["image_uploading"],
        },
      );
    } catch (err) {
      if (err instanceof InstanceNotFound || err instanceof UnexpectedDeletingTaskStateError) {
        // Deleted during the snapshot: nothing to record on it, and the image is no use.
        m.deps.logger.info({ instance_uuid: t.current.uuid }, "instance disappeared during snapshot");
        await deleteImageQuietly(m, imageId, "instance deleted during the snapshot");
        return;
      }
      await deleteImageQuietly(m, imageId, "snapshot failed");
      throw err;
    }
    if (what.kind === "backup") await rotateBackups(m, images, t.current, what.backupType, what.rotation);
  });
}

/** The driver's task state steps as this action names them: [the state to save, the state it expects]. */
export type SnapshotSteps = Record<SnapshotStep, [TaskState, TaskState]>;

/**
 * Has the driver write the guest's disk into the queued image `imageId` and records the image active (Glance's
 * upload), saving the task state of each step as Nova's update_task_state does.
 */
export async function takeSnapshot(
  m: ComputeManager,
  ctx: NovaContext,
  t: Tracked,
  images: ImageStore,
  imageId: string,
  steps: SnapshotSteps,
): Promise<SnapshotResult> {
  const uuid = t.current.uuid!;
  const snapshot = m.deps.driver.snapshot?.bind(m.deps.driver);
  if (!snapshot)
    throw new OperationNotSupportedError("The hypervisor driver", "snapshot", { instanceUuid: uuid });
  await images.update(imageId, { status: "saving" });
  const result = await m.driverCall(uuid, () =>
    snapshot(m.ref(t.current), {
      imageId,
      onStep: async (step) => {
        const [state, expected] = steps[step];
        t.current = await m.deps.conductor.instanceSave(
          ctx,
          { ...t.current, task_state: state },
          ["task_state"],
          {
            expectedTaskState: [expected],
          },
        );
      },
    }),
  );
  await images.update(imageId, {
    status: "active",
    size: result.size,
    ...(result.file ? { file: result.file } : {}),
  });
  return result;
}

/**
 * Nova's _rotate_backups: the instance's backups of `backupType`, newest first (created_at, then the later
 * entry of the catalogue), beyond the first `rotation` are deleted.
 */
export async function rotateBackups(
  m: ComputeManager,
  images: ImageStore,
  instance: Partial<Instance>,
  backupType: string,
  rotation: number,
): Promise<string[]> {
  const all = await images.list({});
  const backups = all
    .map((image, position) => ({ image, position }))
    .filter(
      ({ image }) =>
        image.properties.image_type === "backup" &&
        image.properties.backup_type === backupType &&
        image.properties.instance_uuid === instance.uuid,
    )
    .sort((a, b) => createdMs(b.image) - createdMs(a.image) || b.position - a.position);
  const excess = backups.slice(Math.max(0, rotation)).map(({ image }) => image.id);
  for (const id of excess) await deleteImageQuietly(m, id, "rotated out");
  if (excess.length > 0) {
    m.deps.logger.info({ instance_uuid: instance.uuid, deleted: excess, rotation }, "rotated out backups");
  }
  return excess;
}

function createdMs(image: ImageRecord): number {
  return image.createdAt?.getTime() ?? 0;
}
