import type { ApiVersion } from "@nova/client";
import type { ApiConfig } from "./api-config.js";
import type { ComputeBackend } from "./compute-backend.js";
import type { PolicyTarget } from "./policy/policy-check.js";
import type { RequestContext } from "./request-context.js";
import type { LinkBuilder } from "./views/links.js";

/** A routed request as a handler sees it. */
export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; null for a POST without one; undefined for methods without a body. */
  body: unknown;
  version: ApiVersion;
  context: RequestContext;
  links: LinkBuilder;
  backend: ComputeBackend;
  config: ApiConfig;
  /**
   * Throws Nova's 403 (`Policy doesn't allow <rule> to be performed.`) unless the caller passes the named
   * `os_compute_api:*` rule for `target` (default: the caller's own project and user).
   */
  authorize(rule: string, target?: PolicyTarget): void;
  /** Whether the caller passes `rule` for `target`, without throwing (Nova's `context.can(..., fatal=False)`). */
  allows(rule: string, target?: PolicyTarget): boolean;
}

/** A handler's answer. */
export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An endpoint. */
export type Handler = (request: ApiRequest) => Promise<ApiReply>;

/** A route: method and path pattern (`:name` segments are parameters); `actions` dispatch on the body key. */
export interface Route {
  method: string;
  pattern: string;
  handler?: Handler;
  actions?: Record<string, Handler>;
}

interface CompiledRoute extends Route {
  segments: string[];
}

/** The outcome of matching a path. */
export type RouteMatch = { route: Route; params: Record<string, string>; projectId?: string } | undefined;

// Nova's ProjectMapper only accepts hex-and-dash project ids in the URL ({project_id:[0-9a-f-]+}).
const PROJECT_ID = /^[0-9a-f-]+$/;

/** A small router over path segments, trying each route without and then with a project id prefix. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => ({ ...route, segments: split(route.pattern) }));
  }

  /** The route for a method and a path below the version prefix (e.g. `/servers/abc`), if any. */
  match(method: string, path: string): RouteMatch {
    const segments = split(path);
    const direct = this.find(method, segments);
    if (direct) return direct;
    const [first, ...rest] = segments;
    if (first !== undefined && PROJECT_ID.test(first)) {
      const nested = this.find(method, rest);
      if (nested) return { ...nested, projectId: first };
    }
    return undefined;
  }

  private find(method: string, segments: string[]): RouteMatch {
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const expected = route.segments[i]!;
        const actual = segments[i]!;
        if (expected.startsWith(":")) params[expected.slice(1)] = decodeSegment(actual);
        else if (expected !== actual) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}
