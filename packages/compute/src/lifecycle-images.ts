import type { ImageRecord } from "@nova/image-catalog";
import type { Instance } from "@nova/objects";
import type { ComputeManager } from "./compute-manager.js";

/**
 * The image a guest is (re)built from, as the compute reads it from the catalogue (Nova's image_api.get):
 * Glance's fields, snake_case, as build_and_run_instance carries them. An image the catalogue lacks is still
 * named, so a driver that needs no bits (the fake one) can go on.
 */
export async function imageDict(
  m: ComputeManager,
  imageRef: string | null | undefined,
): Promise<Record<string, unknown>> {
  if (!imageRef) return {};
  const images = m.deps.images;
  if (!images) return { id: imageRef };
  try {
    return glanceFields(await images.get(imageRef));
  } catch {
    return { id: imageRef };
  }
}

function glanceFields(image: ImageRecord): Record<string, unknown> {
  return {
    id: image.id,
    name: image.name,
    status: image.status,
    min_ram: image.minRam,
    min_disk: image.minDisk,
    size: image.size,
    properties: image.properties,
  };
}

/** The catalogue snapshots go to; a compute built without one cannot take them. */
export function imageStore(m: ComputeManager, instance: Partial<Instance>) {
  const images = m.deps.images;
  if (!images) {
    throw new Error(`no image catalogue to write a snapshot of ${instance.uuid ?? "the instance"} to`);
  }
  return images;
}

/** Removes an image, logging (not throwing) when it cannot: cleanup must not fail the action. */
export async function deleteImageQuietly(m: ComputeManager, imageId: string, why: string): Promise<void> {
  try {
    await m.deps.images?.delete(imageId);
  } catch (err) {
    m.deps.logger.warn(
      { image_id: imageId, err: err instanceof Error ? err.message : String(err) },
      `could not delete the image (${why})`,
    );
  }
}
