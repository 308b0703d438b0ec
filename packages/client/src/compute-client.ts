import { type Clock, systemClock } from "@nova/core";
import type { z } from "zod";
import { API_VERSION_HEADER } from "./api-version.js";
import { ComputeApiError, ServerWaitError } from "./compute-api-error.js";
import { faultBodySchema } from "./schemas/fault.js";
import {
  type FlavorListQuery,
  listFlavorsDetailResponseSchema,
  listFlavorsResponseSchema,
  showFlavorResponseSchema,
} from "./schemas/flavors.js";
import {
  type ImageListQuery,
  listImagesDetailResponseSchema,
  listImagesResponseSchema,
  showImageResponseSchema,
} from "./schemas/images.js";
import {
  type CreateServerRequest,
  consoleOutputResponseSchema,
  createServerResponseSchema,
  listServersDetailResponseSchema,
  listServersResponseSchema,
  type ServerListQuery,
  type ServerStatus,
  showServerResponseSchema,
} from "./schemas/servers.js";
import { listServicesResponseSchema, type ServiceListQuery } from "./schemas/services.js";
import { versionResponseSchema, versionsResponseSchema } from "./schemas/versions.js";

/** Options of a ComputeClient. */
export interface ComputeClientOptions {
  /** The Compute endpoint including the version, e.g. `http://127.0.0.1:8774/v2.1`. */
  endpoint: string;
  /** Sent as `X-Auth-Token` (with noauth2: `user:project`, `admin:admin` for an admin). */
  token?: string;
  /** Microversion to request ("2.1" .. "2.93" or "latest"); none means the server's default (2.1). */
  microversion?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** Options of `waitForServerStatus`. */
export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms). */
  intervalMs?: number;
  /** Statuses that end the wait with an error (default ["ERROR"]). */
  failOn?: readonly string[];
  /** Whose time the deadline and the pauses between polls follow (default the system clock; tests pass a FakeClock). */
  clock?: Clock;
}

/** A raw response: status, headers and parsed JSON body (undefined when empty). */
export interface RawResponse {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The parsed JSON body, the text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** Query parameters: scalars, or arrays for repeated parameters. */
type Query = object;

/** A typed client of the OpenStack Compute API (servers, flavors, os-services, images, versions). */
export class ComputeClient {
  private readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;

  /** A client of the Compute API at `options.endpoint`; it sends nothing until a method is called. */
  constructor(private readonly options: ComputeClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A copy of this client with another microversion or token. */
  with(overrides: Partial<Pick<ComputeClientOptions, "microversion" | "token">>): ComputeClient {
    return new ComputeClient({ ...this.options, ...overrides });
  }

  /** `GET /` on the endpoint's root: the versions served. */
  async listVersions() {
    // Versions are listed where the API is mounted: the endpoint without its version segment.
    const root = new URL(this.endpoint);
    root.pathname = `${root.pathname.replace(/\/v[0-9]+(\.[0-9]+)?\/?$/, "")}/`;
    return this.parse(versionsResponseSchema, await this.send("GET", root.toString()));
  }

  /** `GET /v2.1/`: the version document with min and max microversion. */
  async getVersion() {
    return this.parse(versionResponseSchema, await this.send("GET", `${this.endpoint}/`)).version;
  }

  /** `POST /servers`: boot a server; answers with its id and links (status is BUILD). */
  async createServer(server: CreateServerRequest["server"], hints?: Record<string, unknown>) {
    const body: Record<string, unknown> = { server };
    if (hints) body["os:scheduler_hints"] = hints;
    return this.parse(createServerResponseSchema, await this.request("POST", "/servers", { body })).server;
  }

  /** `GET /servers`: ids, names and links (one page; see `servers_links`). */
  async listServers(query: ServerListQuery = {}) {
    return this.parse(listServersResponseSchema, await this.request("GET", "/servers", { query }));
  }

  /** `GET /servers/detail`: servers in detail (one page). */
  async listServersDetail(query: ServerListQuery = {}) {
    return this.parse(
      listServersDetailResponseSchema,
      await this.request("GET", "/servers/detail", { query }),
    );
  }

  /** `GET /servers/{id}`. */
  async getServer(id: string) {
    return this.parse(showServerResponseSchema, await this.request("GET", `/servers/${enc(id)}`)).server;
  }

  /** `DELETE /servers/{id}` (204; the server goes away asynchronously). */
  async deleteServer(id: string): Promise<void> {
    await this.request("DELETE", `/servers/${enc(id)}`);
  }

  /** `reboot` action, SOFT by default. */
  async rebootServer(id: string, type: "SOFT" | "HARD" = "SOFT"): Promise<void> {
    await this.action(id, { reboot: { type } });
  }

  /** `os-stop` action. */
  async stopServer(id: string): Promise<void> {
    await this.action(id, { "os-stop": null });
  }

  /** `os-start` action. */
  async startServer(id: string): Promise<void> {
    await this.action(id, { "os-start": null });
  }

  /** `pause` action. */
  async pauseServer(id: string): Promise<void> {
    await this.action(id, { pause: null });
  }

  /** `unpause` action. */
  async unpauseServer(id: string): Promise<void> {
    await this.action(id, { unpause: null });
  }

  /**
   * `os-getConsoleOutput` action: the guest's console log, its last `length` lines when given (200, no wait:
   * Nova reads it from the compute host while answering).
   */
  async getConsoleOutput(id: string, length?: number): Promise<string> {
    const body = { "os-getConsoleOutput": length === undefined ? {} : { length } };
    const response = await this.request("POST", `/servers/${enc(id)}/action`, { body });
    return this.parse(consoleOutputResponseSchema, response).output;
  }

  /** `GET /flavors`. */
  async listFlavors(query: FlavorListQuery = {}) {
    return this.parse(listFlavorsResponseSchema, await this.request("GET", "/flavors", { query }));
  }

  /** `GET /flavors/detail`. */
  async listFlavorsDetail(query: FlavorListQuery = {}) {
    return this.parse(
      listFlavorsDetailResponseSchema,
      await this.request("GET", "/flavors/detail", { query }),
    );
  }

  /** `GET /flavors/{id}`. */
  async getFlavor(id: string) {
    return this.parse(showFlavorResponseSchema, await this.request("GET", `/flavors/${enc(id)}`)).flavor;
  }

  /** `GET /os-services` (admin only by default policy). */
  async listServices(query: ServiceListQuery = {}) {
    return this.parse(listServicesResponseSchema, await this.request("GET", "/os-services", { query }))
      .services;
  }

  /** `GET /images` through Nova's image proxy (microversion <= 2.35). */
  async listImages(query: ImageListQuery = {}) {
    return this.parse(listImagesResponseSchema, await this.request("GET", "/images", { query }));
  }

  /** `GET /images/detail` through the image proxy. */
  async listImagesDetail(query: ImageListQuery = {}) {
    return this.parse(listImagesDetailResponseSchema, await this.request("GET", "/images/detail", { query }));
  }

  /** `GET /images/{id}` through the image proxy. */
  async getImage(id: string) {
    return this.parse(showImageResponseSchema, await this.request("GET", `/images/${enc(id)}`)).image;
  }

  /** Polls a server until it has `status`; throws ServerWaitError on timeout or an ERROR status. */
  async waitForServerStatus(id: string, status: ServerStatus, options: WaitOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const intervalMs = options.intervalMs ?? 500;
    const failOn = options.failOn ?? ["ERROR"];
    const clock = options.clock ?? systemClock;
    const deadline = clock.now() + timeoutMs;
    let last: string | undefined;
    for (;;) {
      const server = await this.getServer(id);
      last = server.status;
      if (server.status === status) return server;
      if (failOn.includes(server.status)) {
        const why = server.fault ? `: ${server.fault.message}` : "";
        throw new ServerWaitError(
          "SERVER_WAIT_ERROR_STATUS",
          `server ${id} went to ${server.status}${why}`,
          last,
        );
      }
      if (clock.now() >= deadline) {
        throw new ServerWaitError(
          "SERVER_WAIT_TIMEOUT",
          `server ${id} still ${last} after ${timeoutMs} ms`,
          last,
        );
      }
      await clock.sleep(intervalMs);
    }
  }

  /** Polls until `GET /servers/{id}` answers 404. */
  async waitForServerDeleted(id: string, options: Omit<WaitOptions, "failOn"> = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const clock = options.clock ?? systemClock;
    const deadline = clock.now() + timeoutMs;
    let last: string | undefined;
    for (;;) {
      try {
        last = (await this.getServer(id)).status;
      } catch (error) {
        if (ComputeApiError.isInstance(error) && error.status === 404) return;
        throw error;
      }
      if (clock.now() >= deadline) {
        throw new ServerWaitError(
          "SERVER_WAIT_TIMEOUT",
          `server ${id} still ${last} after ${timeoutMs} ms`,
          last,
        );
      }
      await clock.sleep(options.intervalMs ?? 500);
    }
  }

  /** Sends any request under the endpoint and returns status, headers and body; throws on >= 400. */
  async request(
    method: string,
    path: string,
    init: { body?: unknown; query?: Query } = {},
  ): Promise<RawResponse> {
    return this.send(method, this.endpoint + path + queryString(init.query), init.body);
  }

  private async action(id: string, body: unknown): Promise<void> {
    await this.request("POST", `/servers/${enc(id)}/action`, { body });
  }

  private async send(method: string, url: string, body?: unknown): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: "application/json", ...this.options.headers };
    if (this.options.token !== undefined) headers["X-Auth-Token"] = this.options.token;
    if (this.options.microversion !== undefined)
      headers[API_VERSION_HEADER] = `compute ${this.options.microversion}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await this.fetchImpl(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status >= 400) throw toError(response, parsed);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  private parse<T extends z.ZodType>(schema: T, response: RawResponse): z.infer<T> {
    const result = schema.safeParse(response.body);
    if (!result.success) {
      throw new ComputeApiError(
        response.status,
        undefined,
        `unexpected response shape: ${result.error.message}`,
        response.headers.get("x-openstack-request-id") ?? undefined,
        response.body,
        "UNEXPECTED_RESPONSE",
      );
    }
    return result.data;
  }
}

function toError(response: Response, body: unknown): ComputeApiError {
  const requestId = response.headers.get("x-openstack-request-id") ?? undefined;
  const fault = faultBodySchema.safeParse(body);
  if (fault.success) {
    const [name, detail] = Object.entries(fault.data)[0]!;
    return new ComputeApiError(response.status, name, detail.message, requestId, body);
  }
  const message = typeof body === "string" && body.length > 0 ? body : response.statusText;
  return new ComputeApiError(response.status, undefined, message, requestId, body);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
