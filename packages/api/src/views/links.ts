import type { Link } from "@nova/client";

/** Builds Nova's self, bookmark and next links for one request. */
export class LinkBuilder {
  constructor(
    /** `http://host:port/v2.1` as the client reached us. */
    private readonly applicationUrl: string,
    /** The project id when the request URL carried one (then links carry it too), else "". */
    private readonly projectInUrl: string,
    private readonly computeLinkPrefix: string | undefined,
  ) {}

  /** `self` and `bookmark` links of an item. */
  links(collection: string, id: string): Link[] {
    return [
      { rel: "self", href: this.href(collection, id) },
      { rel: "bookmark", href: this.bookmark(collection, id) },
    ];
  }

  /** The versioned URL of an item. */
  href(collection: string, id: string): string {
    return urlJoin(this.prefixed(this.applicationUrl), this.projectInUrl, collection, id);
  }

  /** The unversioned URL of an item. */
  bookmark(collection: string, id: string): string {
    return urlJoin(
      this.prefixed(removeTrailingVersion(this.applicationUrl)),
      this.projectInUrl,
      collection,
      id,
    );
  }

  /**
   * Nova's collection `next` link: present when the page is full (limit, or max_limit when no limit),
   * pointing at the same query with `marker` set to the last item.
   */
  collectionLinks(
    collection: string,
    ids: readonly string[],
    query: URLSearchParams,
    maxLimit: number,
  ): Link[] | undefined {
    const requested = query.get("limit");
    const maxItems = Math.min(requested !== null ? Number(requested) : maxLimit, maxLimit);
    if (!maxItems || maxItems !== ids.length) return undefined;
    const params = new Map<string, string>();
    for (const [key, value] of query) params.set(key, value);
    params.set("marker", ids[ids.length - 1]!);
    const search = new URLSearchParams([...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const url = urlJoin(this.prefixed(this.applicationUrl), this.projectInUrl, collection);
    return [{ rel: "next", href: `${url}?${search.toString()}` }];
  }

  /** The root the version documents point at (`http://host:port/v2.1/`). */
  versionRoot(): string {
    return `${this.prefixed(this.applicationUrl).replace(/\/+$/, "")}/`;
  }

  private prefixed(url: string): string {
    return applyLinkPrefix(url, this.computeLinkPrefix);
  }
}

/**
 * Nova's `_update_link_prefix`: the prefix's scheme and host replace the URL's, and its path goes before the
 * URL's path (`[api] compute_link_prefix`, `glance_link_prefix`); no prefix leaves the URL as it is.
 */
export function applyLinkPrefix(url: string, prefix: string | undefined): string {
  if (!prefix) return url;
  const original = new URL(url);
  const base = new URL(prefix);
  const path = base.pathname.replace(/\/+$/, "") + original.pathname;
  return `${base.protocol}//${base.host}${path}`.replace(/\/+$/, "");
}

/** Joins URL parts with single slashes, skipping empty parts (Nova's `url_join`). */
export function urlJoin(...parts: string[]): string {
  return parts
    .filter((part) => part !== "")
    .map((part) => part.replace(/^\/+|\/+$/g, ""))
    .join("/");
}

function removeTrailingVersion(url: string): string {
  return url.replace(/\/v[0-9]+(\.[0-9]+)?\/?$/, "");
}
