import { NovaError } from "@nova/core";

/** An `images.json` that is not `{"images": [...]}` or whose entries are invalid; names the file. */
export class ImageCatalogFileError extends NovaError {
  constructor(
    readonly path: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super("IMAGE_CATALOG_FILE", `${path}: ${message}`, options);
  }
}
