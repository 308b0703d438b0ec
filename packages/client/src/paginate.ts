import type { Link } from "./schemas/link.js";

/** One page of a list: its items and its `*_links` (with `rel: "next"` when there is more). */
export interface Page<T> {
  /** The items of this page. */
  items: readonly T[];
  /** The page's links; the `next` one's query carries the marker of the following page. */
  links?: readonly Link[] | undefined;
}

/**
 * Every item of a paginated list, page after page: each `next` link's query (marker, limit) is sent again to
 * the client's own endpoint, since a link may name a host the client does not reach (a proxy's inside).
 */
export async function* paginate<T>(
  query: Record<string, unknown>,
  fetchPage: (query: Record<string, unknown>) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let current = query;
  for (;;) {
    const page = await fetchPage(current);
    yield* page.items;
    const next = page.links?.find((link) => link.rel === "next");
    if (!next || page.items.length === 0) return;
    const nextQuery: Record<string, unknown> = { ...current };
    const params = new URL(next.href, "http://link.invalid/").searchParams;
    for (const key of new Set(params.keys())) {
      const values = params.getAll(key);
      nextQuery[key] = values.length === 1 ? values[0] : values;
    }
    // A server repeating the same marker would loop forever.
    if (nextQuery.marker === undefined || nextQuery.marker === current.marker) return;
    current = nextQuery;
  }
}
