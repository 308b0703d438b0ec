import type { ImageQuery, ImageRecord } from "@nova/objects";

export type { ImageQuery, ImageRecord };

/** Where nova-api finds images: a local catalogue here, Glance in a full cloud. */
export interface ImageCatalog {
  /** The images matching `query`, in catalogue order. */
  list(query: ImageQuery): Promise<ImageRecord[]>;
  /** The image, or {@link ImageNotFoundError} when there is no such image. */
  get(imageId: string): Promise<ImageRecord>;
}
