// The image shape nova-api lists and the image catalogue stores: one definition for the spec layer.

/** An image of the catalogue, shaped like a Glance v2 image (what Nova's image proxy reads). */
export interface ImageRecord {
  /** The image's uuid. */
  id: string;
  /** Display name, or null. */
  name: string | null;
  /** Glance status: `active`, `queued`, `saving`, `deleted`, `pending_delete`, `killed`. */
  status: string;
  /** Minimum RAM (MB) a flavor must have to boot it. */
  minRam: number;
  /** Minimum root disk (GB) a flavor must have to boot it. */
  minDisk: number;
  /** Size in bytes, or null when unknown. */
  size: number | null;
  /** Glance image properties (`hw_architecture`, ...). */
  properties: Record<string, unknown>;
  /** When the image was created, or null. */
  createdAt: Date | null;
  /** When the image last changed, or null. */
  updatedAt: Date | null;
}

/** An image list query (Nova's image proxy filters). */
export interface ImageQuery {
  /** Only images of this name. */
  name?: string;
  /** Only images in this status. */
  status?: string;
  /** At most this many. */
  limit?: number;
  /** Start after the image with this id. */
  marker?: string;
}
