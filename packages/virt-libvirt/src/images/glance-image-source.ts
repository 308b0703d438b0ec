import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ImageNotFoundError } from "@nova/virt";
import type { ImageChecksum, ImageDownload, ImageSource } from "./image-source.js";

/** How to reach Glance's v2 API. */
export interface GlanceImageSourceOptions {
  /** The image service endpoint, e.g. "http://controller:9292". */
  readonly endpoint: string;
  /** A Keystone token, sent as X-Auth-Token. */
  readonly token?: string;
  /** The fetch to use (default the global one). */
  readonly fetch?: typeof fetch;
}

/** Downloads images from Glance (GET /v2/images/{id}, then /file), with Glance's multihash or MD5 to check. */
export class GlanceImageSource implements ImageSource {
  readonly #options: GlanceImageSourceOptions;

  /** Downloads from `options.endpoint` with `options.token`. */
  constructor(options: GlanceImageSourceOptions) {
    this.#options = options;
  }

  /** {@inheritDoc ImageSource.open} */
  async open(imageId: string): Promise<ImageDownload> {
    const fetchImpl = this.#options.fetch ?? fetch;
    const base = `${this.#options.endpoint.replace(/\/+$/, "")}/v2/images/${encodeURIComponent(imageId)}`;
    const headers: Record<string, string> = this.#options.token
      ? { "X-Auth-Token": this.#options.token }
      : {};
    const metaResponse = await fetchImpl(base, { headers });
    if (metaResponse.status === 404) throw new ImageNotFoundError(imageId);
    if (!metaResponse.ok) throw new Error(`Glance answered ${metaResponse.status} for image ${imageId}`);
    const meta = (await metaResponse.json()) as Record<string, unknown>;
    const file = await fetchImpl(`${base}/file`, { headers });
    if (file.status === 404 || file.status === 204) throw new ImageNotFoundError(imageId);
    if (!file.ok || !file.body)
      throw new Error(`Glance answered ${file.status} for the data of image ${imageId}`);
    const checksum = glanceChecksum(meta);
    return {
      stream: Readable.fromWeb(file.body as WebReadableStream<Uint8Array>),
      ...(checksum ? { checksum } : {}),
      ...(typeof meta.disk_format === "string" ? { diskFormat: meta.disk_format } : {}),
    };
  }
}

/** Glance's os_hash (sha512 by default) when present, else the legacy MD5 `checksum`. */
function glanceChecksum(meta: Record<string, unknown>): ImageChecksum | undefined {
  const algo = meta.os_hash_algo;
  const value = meta.os_hash_value;
  if ((algo === "sha256" || algo === "sha512") && typeof value === "string")
    return { algorithm: algo, hex: value };
  if (typeof meta.checksum === "string") return { algorithm: "md5", hex: meta.checksum };
  return undefined;
}
