import type { z } from "zod";
import type { CallOptions, RawResponse } from "../http-transport.js";

/** What a resource group needs of its client: requests, schema checks and page iteration. */
export interface ResourceContext {
  /** Sends a request under the endpoint; throws a typed error on >= 400. */
  request(
    method: string,
    path: string,
    init?: CallOptions & { body?: unknown; query?: object | undefined },
  ): Promise<RawResponse>;
  /** Checks a body against its schema (`UNEXPECTED_RESPONSE` when it does not match). */
  parse<T extends z.ZodType>(schema: T, response: RawResponse): z.infer<T>;
  /** Every item of a paginated list under `path`, following `<key>_links`. */
  iterate<T extends z.ZodType>(
    path: string,
    key: string,
    itemSchema: T,
    query: object,
    call: CallOptions,
    linksKey?: string,
  ): AsyncGenerator<z.infer<T>, void, undefined>;
}

/** A path segment, escaped. */
export function enc(segment: string | number): string {
  return encodeURIComponent(String(segment));
}
