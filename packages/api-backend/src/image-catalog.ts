import { readFileSync } from "node:fs";
import { ImageNotFoundError, type ImageQuery, type ImageRecord } from "@nova/api";
import { z } from "zod";

/** Where nova-api finds images: a local catalog here, Glance in a full cloud. */
export interface ImageCatalog {
  /** Images matching the query, paged by marker. */
  list(query: ImageQuery): Promise<ImageRecord[]>;
  /** ImageNotFoundError when there is no such image. */
  get(imageId: string): Promise<ImageRecord>;
}

const imageEntrySchema = z.object({
  id: z.string().min(1),
  name: z.string().nullable().default(null),
  status: z.string().default("active"),
  min_ram: z.number().int().min(0).default(0),
  min_disk: z.number().int().min(0).default(0),
  size: z.number().int().min(0).nullable().default(null),
  /** Where the bits are (a local file), for drivers that need them; the fake driver does not. */
  file: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).default({}),
  created_at: z.string().optional(),
});

/** One image of a local catalog file (`images.json`), Glance-like names. */
export type ImageCatalogEntry = z.input<typeof imageEntrySchema>;

/** An image catalog kept in memory, optionally loaded from a JSON file (`{"images": [...]}`). */
export class LocalImageCatalog implements ImageCatalog {
  private readonly images: ImageRecord[];
  /** Files of the images that have one, by image id. */
  readonly files = new Map<string, string>();

  constructor(entries: readonly ImageCatalogEntry[]) {
    this.images = entries.map((raw) => {
      const e = imageEntrySchema.parse(raw);
      if (e.file) this.files.set(e.id, e.file);
      const created = e.created_at ? new Date(e.created_at) : null;
      return {
        id: e.id,
        name: e.name,
        status: e.status,
        minRam: e.min_ram,
        minDisk: e.min_disk,
        size: e.size,
        properties: e.properties,
        createdAt: created,
        updatedAt: created,
      };
    });
  }

  /** Loads `{"images": [...]}` from a file; a bad file is an error naming it. */
  static fromFile(path: string): LocalImageCatalog {
    const parsed = z
      .object({ images: z.array(z.unknown()) })
      .safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) throw new Error(`${path}: expected {"images": [...]}`);
    return new LocalImageCatalog(parsed.data.images as ImageCatalogEntry[]);
  }

  /** Images matching the query, paged by marker. */
  async list(query: ImageQuery): Promise<ImageRecord[]> {
    let list = this.images.filter(
      (i) =>
        (query.name === undefined || i.name === query.name) &&
        (query.status === undefined || i.status === query.status),
    );
    if (query.marker !== undefined) {
      const at = list.findIndex((i) => i.id === query.marker);
      if (at < 0) throw new ImageNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    return structuredClone(query.limit === undefined ? list : list.slice(0, query.limit));
  }

  /** One image by id; ImageNotFoundError when there is none. */
  async get(imageId: string): Promise<ImageRecord> {
    const image = this.images.find((i) => i.id === imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    return structuredClone(image);
  }
}
