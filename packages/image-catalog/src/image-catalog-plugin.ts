import type { Logger } from "@nova/core";
import type { ImageStore } from "./image-store.js";

/** What an image catalogue named in nova.conf (`[glance] image_catalog = my-images#Catalog`) is built with. */
export interface ImageCatalogContext {
  /** `[DEFAULT] state_path`. */
  readonly statePath: string;
  /** nova.conf as given, group by group (raw strings): a catalogue parses its own group. */
  readonly config: Readonly<Record<string, Readonly<Record<string, string | string[]>>>>;
  /** Where the catalogue logs. */
  readonly logger: Logger;
}

/**
 * An image catalogue nova.conf can name: it lists images and stores the ones computes make (snapshots, shelved
 * and backup images), with, optionally, the local file of each image (what the libvirt driver boots from).
 */
export type ImageCatalogWithFiles = ImageStore & { readonly files?: ReadonlyMap<string, string> };

/** An image catalogue class nova.conf can name: constructed once per service with its context. */
export type ImageCatalogClass = new (context: ImageCatalogContext) => ImageCatalogWithFiles;
