import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { ImageNotFoundError } from "@nova/virt";

/** A digest the downloaded bytes must match. */
export interface ImageChecksum {
  /** The digest's algorithm. */
  readonly algorithm: "md5" | "sha256" | "sha512";
  /** The expected digest, in lower-case hex. */
  readonly hex: string;
}

/** An image's bytes, with what they must hash to when the catalog says. */
export interface ImageDownload {
  /** The image's bytes. */
  readonly stream: Readable | AsyncIterable<Uint8Array>;
  /** What the bytes must hash to, when the catalog says. */
  readonly checksum?: ImageChecksum;
  /** The catalog's disk format ("qcow2", "raw", "aki", ...), when known. */
  readonly diskFormat?: string;
}

/** Where images come from: the image catalog (a local folder, Glance). */
export interface ImageSource {
  /** Opens an image for reading; ImageNotFoundError when the catalog does not have it. */
  open(imageId: string): Promise<ImageDownload>;
}

/** One image of a LocalImageSource. */
export interface LocalImage {
  /** The image file on this host. */
  readonly path: string;
  /** What the file must hash to, when known. */
  readonly checksum?: ImageChecksum;
  /** The file's disk format ("qcow2", "raw", ...), when known. */
  readonly diskFormat?: string;
}

/** Finds an image's file when it is asked for (a catalogue that gains images, such as snapshots, while running). */
export type LocalImageLookup = (imageId: string) => Promise<LocalImage | undefined>;

/** Images that are files on this host, by image id (the all-in-one's catalog, tests). */
export class LocalImageSource implements ImageSource {
  readonly #lookup: LocalImageLookup;

  /** `images` by image id, or a lookup asked at each open. */
  constructor(images: Readonly<Record<string, LocalImage>> | LocalImageLookup) {
    if (typeof images === "function") {
      this.#lookup = images;
    } else {
      const fixed = new Map(Object.entries(images));
      this.#lookup = async (imageId) => fixed.get(imageId);
    }
  }

  /** {@inheritDoc ImageSource.open} */
  async open(imageId: string): Promise<ImageDownload> {
    const image = await this.#lookup(imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    await stat(image.path).catch((error: unknown) => {
      throw new ImageNotFoundError(imageId, { cause: error });
    });
    return {
      stream: createReadStream(image.path),
      ...(image.checksum ? { checksum: image.checksum } : {}),
      ...(image.diskFormat ? { diskFormat: image.diskFormat } : {}),
    };
  }
}
