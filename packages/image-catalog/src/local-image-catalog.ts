import { existsSync, readFileSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ImageCatalogFileError } from "./image-catalog-file-error.js";
import { ImageNotFoundError } from "./image-not-found-error.js";
import type { ImageQuery, ImageRecord } from "./image-record.js";
import { type ImageChanges, type ImageStore, withCatalogFileLock, writeCatalogFile } from "./image-store.js";

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
  updated_at: z.string().optional(),
});

/** One image of a local catalogue file (`images.json`), with Glance's field names. */
export type ImageCatalogEntry = z.input<typeof imageEntrySchema>;

/** The catalogue file's name inside `[DEFAULT] state_path` (the all-in-one's data folder). */
export const IMAGE_CATALOG_FILE = "images.json";

/**
 * An image catalogue kept in memory, optionally backed by a JSON file (`{"images": [...]}`) that other
 * processes share: reads pick up the file's changes, writes go through it under a lock file.
 */
export class LocalImageCatalog implements ImageStore {
  private images: ImageRecord[];
  private entries: ImageCatalogEntry[];
  private loadedStamp: string | null = null;
  /** Files of the images that have one, by image id (what the libvirt driver reads). */
  readonly files = new Map<string, string>();

  /** A catalogue of `entries`; an invalid entry throws zod's error. With `path`, writes go to that file. */
  constructor(
    entries: readonly ImageCatalogEntry[],
    private readonly path?: string,
  ) {
    this.entries = [];
    this.images = [];
    this.load(entries);
  }

  /** Loads `{"images": [...]}` from a file; a bad file is an {@link ImageCatalogFileError} naming it. */
  static fromFile(path: string): LocalImageCatalog {
    const catalog = new LocalImageCatalog(readCatalogFile(path), path);
    catalog.loadedStamp = fileStamp(path);
    return catalog;
  }

  /**
   * The catalogue of a state folder: `<stateDir>/images.json` when that file exists, else one made of
   * `fallback` (none by default), as nova-api, nova-compute and the all-in-one read it. Either way new images
   * are written to that file, where the other services of the folder see them.
   */
  static fromStateDir(stateDir: string, fallback: readonly ImageCatalogEntry[] = []): LocalImageCatalog {
    const file = join(stateDir, IMAGE_CATALOG_FILE);
    return existsSync(file) ? LocalImageCatalog.fromFile(file) : new LocalImageCatalog(fallback, file);
  }

  /** The images matching `query`; an unknown marker is an {@link ImageNotFoundError}. */
  async list(query: ImageQuery): Promise<ImageRecord[]> {
    this.refresh();
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
    this.refresh();
    const image = this.images.find((i) => i.id === imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    return structuredClone(image);
  }

  /** {@inheritDoc ImageStore.create} */
  async create(entry: ImageCatalogEntry): Promise<ImageRecord> {
    const now = new Date().toISOString();
    const parsed = imageEntrySchema.parse({ created_at: now, updated_at: now, ...entry });
    await this.mutate((entries) => {
      if (entries.some((e) => e.id === parsed.id))
        throw new ImageCatalogFileError(this.path ?? "(memory)", `image ${parsed.id} exists`);
      return [...entries, parsed];
    });
    return this.get(parsed.id);
  }

  /** {@inheritDoc ImageStore.update} */
  async update(imageId: string, changes: ImageChanges): Promise<ImageRecord> {
    await this.mutate((entries) => {
      const at = entries.findIndex((e) => e.id === imageId);
      if (at < 0) throw new ImageNotFoundError(imageId);
      const old = entries[at]!;
      const next: ImageCatalogEntry = { ...old, updated_at: new Date().toISOString() };
      if (changes.name !== undefined) next.name = changes.name;
      if (changes.status !== undefined) next.status = changes.status;
      if (changes.size !== undefined) next.size = changes.size;
      if (changes.file !== undefined) next.file = changes.file;
      if (changes.properties !== undefined)
        next.properties = { ...(old.properties ?? {}), ...changes.properties };
      return entries.map((e, i) => (i === at ? next : e));
    });
    return this.get(imageId);
  }

  /**
   * {@inheritDoc ImageStore.delete}
   * A snapshot's or backup's file (written by a compute) goes with it, as Glance deletes an image's data; files
   * of images the operator listed are theirs and stay.
   */
  async delete(imageId: string): Promise<void> {
    let removed: ImageCatalogEntry | undefined;
    await this.mutate((entries) => {
      removed = entries.find((e) => e.id === imageId);
      if (!removed) throw new ImageNotFoundError(imageId);
      return entries.filter((e) => e.id !== imageId);
    });
    const kind = removed?.properties?.image_type;
    if (removed?.file && (kind === "snapshot" || kind === "backup")) {
      await rm(removed.file, { force: true });
    }
  }

  private load(entries: readonly ImageCatalogEntry[]): void {
    const parsed = entries.map((raw) => imageEntrySchema.parse(raw));
    this.entries = parsed;
    this.files.clear();
    this.images = parsed.map((e) => {
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
        updatedAt: e.updated_at ? new Date(e.updated_at) : created,
      };
    });
  }

  // Another process may have written the file since we read it: one stat per read tells.
  private refresh(): void {
    if (!this.path) return;
    const stamp = fileStamp(this.path);
    if (stamp === null || stamp === this.loadedStamp) return;
    this.load(readCatalogFile(this.path));
    this.loadedStamp = stamp;
  }

  private async mutate(change: (entries: ImageCatalogEntry[]) => ImageCatalogEntry[]): Promise<void> {
    const path = this.path;
    if (!path) {
      this.load(change(this.entries));
      return;
    }
    await withCatalogFileLock(path, () => {
      // The file as it is now (another process may have written it), else what this catalogue holds.
      const current = existsSync(path) ? readCatalogFile(path) : this.entries;
      const next = change([...current]);
      writeCatalogFile(path, next);
      this.load(next);
      this.loadedStamp = fileStamp(path);
    });
  }
}

function readCatalogFile(path: string): ImageCatalogEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ImageCatalogFileError(path, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const parsed = z.object({ images: z.array(z.unknown()) }).safeParse(json);
  if (!parsed.success) throw new ImageCatalogFileError(path, 'expected {"images": [...]}');
  return parsed.data.images as ImageCatalogEntry[];
}

function fileStamp(path: string): string | null {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.mtimeNs}:${st.size}:${st.ino}`;
  } catch {
    return null;
  }
}
