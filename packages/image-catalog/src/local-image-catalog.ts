import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ImageCatalogFileError } from "./image-catalog-file-error.js";
import { ImageNotFoundError } from "./image-not-found-error.js";
import type { ImageCatalog, ImageQuery, ImageRecord } from "./image-record.js";

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

/** One image of a local catalogue file (`images.json`), with Glance's field names. */
export type ImageCatalogEntry = z.input<typeof imageEntrySchema>;

/** The catalogue file's name inside `[DEFAULT] state_path` (the all-in-one's data folder). */
export const IMAGE_CATALOG_FILE = "images.json";

/** An image catalogue kept in memory, optionally loaded from a JSON file (`{"images": [...]}`). */
export class LocalImageCatalog implements ImageCatalog {
  private readonly images: ImageRecord[];
  /** Files of the images that have one, by image id (what the libvirt driver reads). */
  readonly files = new Map<string, string>();

  /** A catalogue of `entries`; an invalid entry throws zod's error. */
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

  /** Loads `{"images": [...]}` from a file; a bad file is an {@link ImageCatalogFileError} naming it. */
  static fromFile(path: string): LocalImageCatalog {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new ImageCatalogFileError(path, err instanceof Error ? err.message : String(err), { cause: err });
    }
    const parsed = z.object({ images: z.array(z.unknown()) }).safeParse(json);
    if (!parsed.success) throw new ImageCatalogFileError(path, 'expected {"images": [...]}');
    return new LocalImageCatalog(parsed.data.images as ImageCatalogEntry[]);
  }

  /**
   * The catalogue of a state folder: `<stateDir>/images.json` when that file exists, else one made of
   * `fallback` (none by default), as nova-api, nova-compute and the all-in-one read it.
   */
  static fromStateDir(stateDir: string, fallback: readonly ImageCatalogEntry[] = []): LocalImageCatalog {
    const file = join(stateDir, IMAGE_CATALOG_FILE);
    return existsSync(file) ? LocalImageCatalog.fromFile(file) : new LocalImageCatalog(fallback);
  }

  /** The images matching `query`; an unknown marker is an {@link ImageNotFoundError}. */
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

  /** The image (a copy), or {@link ImageNotFoundError}. */
  async get(imageId: string): Promise<ImageRecord> {
    const image = this.images.find((i) => i.id === imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    return structuredClone(image);
  }
}
