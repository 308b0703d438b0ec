import { NovaError } from "@nova/core";

/** An `images.json` that is not `{"images": [...]}` or whose entries are invalid; names the file. */
export class ImageCatalogFileError extends NovaError {
  /** Builds the error for the catalogue file at `path`; `cause` is the parse or validation failure. */
  constructor(
    /** The catalogue file that is invalid. */
    readonly path: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super("IMAGE_CATALOG_FILE", `${path}: ${message}`, options);
  }
}
