// @nova/image-catalog: a local image catalogue (`images.json`), shaped like Glance v2. nova-api lists and
// shows its images; nova-compute's libvirt driver reads their files. No database, no HTTP.

export { ImageCatalogFileError } from "./image-catalog-file-error.js";
/** What an image catalogue loaded by name from nova.conf is built with. */
export type {
  ImageCatalogClass,
  ImageCatalogContext,
  ImageCatalogWithFiles,
} from "./image-catalog-plugin.js";
export { ImageNotFoundError } from "./image-not-found-error.js";
export type { ImageCatalog, ImageQuery, ImageRecord } from "./image-record.js";
export type { ImageChanges, ImageStore } from "./image-store.js";
export { IMAGE_CATALOG_FILE, type ImageCatalogEntry, LocalImageCatalog } from "./local-image-catalog.js";
