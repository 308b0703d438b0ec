import type { Clock } from "@nova/core";
import type { z } from "zod";
import { ComputeApiError } from "./compute-api-error.js";
import { requestIdOf } from "./errors/error-from-response.js";
import {
  type CallOptions,
  HttpTransport,
  type HttpTransportOptions,
  type RawResponse,
} from "./http-transport.js";
import { type NegotiatedVersion, negotiateMicroversion } from "./microversion-negotiation.js";
import { paginate } from "./paginate.js";
import { AggregatesResource } from "./resources/aggregates.js";
import { AvailabilityZonesResource } from "./resources/availability-zones.js";
import { FlavorsResource } from "./resources/flavors.js";
import { HypervisorsResource } from "./resources/hypervisors.js";
import { KeyPairsResource } from "./resources/keypairs.js";
import { QuotasResource } from "./resources/quotas.js";
import { enc, type ResourceContext } from "./resources/resource-context.js";
import { ServerGroupsResource } from "./resources/server-groups.js";
import { ServersResource } from "./resources/servers.js";
import { ServicesResource } from "./resources/services.js";
import type { FlavorListQuery } from "./schemas/flavors.js";
import {
  type ImageListQuery,
  listImagesDetailResponseSchema,
  listImagesResponseSchema,
  showImageResponseSchema,
} from "./schemas/images.js";
import type { CreateServerRequest, Server, ServerListQuery, ServerStatus } from "./schemas/servers.js";
import type { ServiceListQuery } from "./schemas/services.js";
import { versionResponseSchema, versionsResponseSchema } from "./schemas/versions.js";
import { pollServer, type ServerWaitOptions } from "./server-waiter.js";

/** Options of a ComputeClient: where the API is, and how to talk to it (see {@link HttpTransportOptions}). */
export interface ComputeClientOptions extends HttpTransportOptions {
  /** The Compute endpoint including the version, e.g. `http://127.0.0.1:8774/v2.1`. */
  endpoint: string;
}

/** Options of `waitForServerStatus` (kept for its callers; `waitForServer` takes {@link ServerWaitOptions}). */
export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Poll interval (default 500 ms, fixed). */
  intervalMs?: number;
  /** Statuses that end the wait with an error (default ["ERROR"]). */
  failOn?: readonly string[];
  /** Whose time the deadline and the pauses between polls follow (default the system clock; tests pass a FakeClock). */
  clock?: Clock;
}

/** A request's body and query, and the call's options. */
export interface RequestOptions extends CallOptions {
  /** The JSON body. */
  body?: unknown;
  /** Query parameters (arrays repeat the parameter; undefined ones are left out). */
  query?: object | undefined;
}

/**
 * A typed client of the OpenStack Compute API. Resources are grouped (`flavors`, `keypairs`, `servers`, ...);
 * the methods on the client itself are the common server calls. Every call takes {@link CallOptions} last.
 */
export class ComputeClient implements ResourceContext {
  private readonly endpoint: string;
  private readonly transport: HttpTransport;
  /** Servers: list, iterate, actions, metadata, tags, instance actions. */
  readonly servers: ServersResource;
  /** Flavors, their extra specs and access lists. */
  readonly flavors: FlavorsResource;
  /** SSH key pairs. */
  readonly keypairs: KeyPairsResource;
  /** Hypervisors (compute nodes). */
  readonly hypervisors: HypervisorsResource;
  /** The control plane's services (os-services). */
  readonly services: ServicesResource;
  /** Host aggregates. */
  readonly aggregates: AggregatesResource;
  /** Availability zones. */
  readonly availabilityZones: AvailabilityZonesResource;
  /** Server groups. */
  readonly serverGroups: ServerGroupsResource;
  /** Quota sets, quota class sets and limits. */
  readonly quotas: QuotasResource;

  /** A client of the Compute API at `options.endpoint`; it sends nothing until a method is called. */
  constructor(private readonly options: ComputeClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.transport = new HttpTransport(options);
    this.servers = new ServersResource(this);
    this.flavors = new FlavorsResource(this);
    this.keypairs = new KeyPairsResource(this);
    this.hypervisors = new HypervisorsResource(this);
    this.services = new ServicesResource(this);
    this.aggregates = new AggregatesResource(this);
    this.availabilityZones = new AvailabilityZonesResource(this);
    this.serverGroups = new ServerGroupsResource(this);
    this.quotas = new QuotasResource(this);
  }

  /** The microversion sent when a call names none (undefined: the server's default, 2.1). */
  get microversion(): string | undefined {
    return this.options.microversion;
  }

  /** A copy of this client with other options (another microversion or token, a timeout); auth is shared. */
  with(overrides: Partial<Omit<ComputeClientOptions, "endpoint">>): ComputeClient {
    return new ComputeClient({ ...this.options, ...overrides });
  }

  /**
   * Asks the server its microversion range (`GET /v2.1/`) and returns a copy of this client pinned to the
   * highest version both sides know, no higher than `max` and no lower than `min`; throws
   * `MicroversionNotSupportedError` when the ranges do not meet.
   */
  async negotiate(
    range: { min?: string; max?: string } = {},
    call: CallOptions = {},
  ): Promise<ComputeClient & { negotiated: NegotiatedVersion }> {
    const version = await this.getVersion(call);
    const negotiated = negotiateMicroversion(version, range);
    return Object.assign(this.with({ microversion: negotiated.version.toString() }), { negotiated });
  }

  /** `GET /` on the endpoint's root: the versions served. */
  async listVersions(call: CallOptions = {}) {
    // Versions are listed where the API is mounted: the endpoint without its version segment.
    const root = new URL(this.endpoint);
    root.pathname = `${root.pathname.replace(/\/v[0-9]+(\.[0-9]+)?\/?$/, "")}/`;
    return this.parse(
      versionsResponseSchema,
      await this.transport.send("GET", root.toString(), undefined, call),
    );
  }

  /** `GET /v2.1/`: the version document with min and max microversion. */
  async getVersion(call: CallOptions = {}) {
    const response = await this.transport.send("GET", `${this.endpoint}/`, undefined, call);
    return this.parse(versionResponseSchema, response).version;
  }

  /** `POST /servers`: boot a server; answers with its id and links (status is BUILD). */
  createServer(
    server: CreateServerRequest["server"],
    hints?: Record<string, unknown>,
    call: CallOptions = {},
  ) {
    return this.servers.create(server, hints, call);
  }

  /** `GET /servers`: ids, names and links (one page; see `servers_links`, or iterate `servers.list()`). */
  listServers(query: ServerListQuery = {}, call: CallOptions = {}) {
    return this.servers.listPage(query, call);
  }

  /** `GET /servers/detail`: servers in detail (one page; or iterate `servers.listDetail()`). */
  listServersDetail(query: ServerListQuery = {}, call: CallOptions = {}) {
    return this.servers.listDetailPage(query, call);
  }

  /** `GET /servers/{id}`. */
  getServer(id: string, call: CallOptions = {}): Promise<Server> {
    return this.servers.get(id, call);
  }

  /** `DELETE /servers/{id}` (204; the server goes away asynchronously). */
  deleteServer(id: string, call: CallOptions = {}): Promise<void> {
    return this.servers.delete(id, call);
  }

  /** `reboot` action, SOFT by default. */
  rebootServer(id: string, type: "SOFT" | "HARD" = "SOFT", call: CallOptions = {}): Promise<void> {
    return this.servers.reboot(id, type, call);
  }

  /** `os-stop` action. */
  stopServer(id: string, call: CallOptions = {}): Promise<void> {
    return this.servers.stop(id, call);
  }

  /** `os-start` action. */
  startServer(id: string, call: CallOptions = {}): Promise<void> {
    return this.servers.start(id, call);
  }

  /** `pause` action. */
  pauseServer(id: string, call: CallOptions = {}): Promise<void> {
    return this.servers.pause(id, call);
  }

  /** `unpause` action. */
  unpauseServer(id: string, call: CallOptions = {}): Promise<void> {
    return this.servers.unpause(id, call);
  }

  /**
   * `os-getConsoleOutput` action: the guest's console log, its last `length` lines when given (200, no wait:
   * Nova reads it from the compute host while answering).
   */
  getConsoleOutput(id: string, length?: number, call: CallOptions = {}): Promise<string> {
    return this.servers.getConsoleOutput(id, length, call);
  }

  /** `GET /flavors` (one page; or iterate `flavors.list()`). */
  listFlavors(query: FlavorListQuery = {}, call: CallOptions = {}) {
    return this.flavors.listPage(query, call);
  }

  /** `GET /flavors/detail` (one page; or iterate `flavors.listDetail()`). */
  listFlavorsDetail(query: FlavorListQuery = {}, call: CallOptions = {}) {
    return this.flavors.listDetailPage(query, call);
  }

  /** `GET /flavors/{id}`. */
  getFlavor(id: string, call: CallOptions = {}) {
    return this.flavors.get(id, call);
  }

  /** `GET /os-services` (admin only by default policy). */
  listServices(query: ServiceListQuery = {}, call: CallOptions = {}) {
    return this.services.list(query, call);
  }

  /** `GET /images` through Nova's image proxy (microversion <= 2.35). */
  async listImages(query: ImageListQuery = {}, call: CallOptions = {}) {
    return this.parse(listImagesResponseSchema, await this.request("GET", "/images", { ...call, query }));
  }

  /** `GET /images/detail` through the image proxy. */
  async listImagesDetail(query: ImageListQuery = {}, call: CallOptions = {}) {
    const response = await this.request("GET", "/images/detail", { ...call, query });
    return this.parse(listImagesDetailResponseSchema, response);
  }

  /** `GET /images/{id}` through the image proxy. */
  async getImage(id: string, call: CallOptions = {}) {
    return this.parse(showImageResponseSchema, await this.request("GET", `/images/${enc(id)}`, call)).image;
  }

  /**
   * Polls a server until it has `status`, with backoff; throws a `ServerWaitError` at the deadline, or when
   * the server goes to ERROR, carrying the instance fault. `onProgress` sees every poll.
   */
  async waitForServer(id: string, status: ServerStatus, options: ServerWaitOptions = {}): Promise<Server> {
    const server = await pollServer(id, status, (signal) => this.getServer(id, { signal }), options);
    return server as Server;
  }

  /** Polls until `GET /servers/{id}` answers 404, with backoff; a `ServerWaitError` at the deadline. */
  async waitForServerDeleted(id: string, options: ServerWaitOptions = {}): Promise<void> {
    const failOn = options.failOn ?? [];
    await pollServer(id, undefined, (signal) => this.getServer(id, { signal }), { ...options, failOn });
  }

  /** Polls a server at a fixed interval until it has `status` (see `waitForServer` for backoff and progress). */
  waitForServerStatus(id: string, status: ServerStatus, options: WaitOptions = {}): Promise<Server> {
    const intervalMs = options.intervalMs ?? 500;
    return this.waitForServer(id, status, { ...options, intervalMs, maxIntervalMs: intervalMs });
  }

  /** Sends any request under the endpoint and returns status, headers and body; throws on >= 400. */
  request(method: string, path: string, init: RequestOptions = {}): Promise<RawResponse> {
    const { body, query, ...call } = init;
    return this.transport.send(method, this.endpoint + path + queryString(query), body, call);
  }

  /** Every item of a paginated list under `path`, following the next link of `<key>_links` (or `linksKey`). */
  iterate<T extends z.ZodType>(
    path: string,
    key: string,
    itemSchema: T,
    query: object,
    call: CallOptions,
    linksKey = `${key}_links`,
  ): AsyncGenerator<z.infer<T>, void, undefined> {
    return paginate(query as Record<string, unknown>, async (pageQuery) => {
      const response = await this.request("GET", path, { ...call, query: pageQuery });
      const body = response.body as Record<string, unknown> | undefined;
      const items = this.parse(itemArray(itemSchema), { ...response, body: body?.[key] });
      const links = body?.[linksKey];
      return { items, links: Array.isArray(links) ? links : undefined };
    });
  }

  /** Checks a response body against its schema; a mismatch is an `UNEXPECTED_RESPONSE` ComputeApiError. */
  parse<T extends z.ZodType>(schema: T, response: RawResponse): z.infer<T> {
    const result = schema.safeParse(response.body);
    if (!result.success) {
      throw new ComputeApiError(
        response.status,
        undefined,
        `unexpected response shape: ${result.error.message}`,
        requestIdOf(response.headers),
        response.body,
        "UNEXPECTED_RESPONSE",
      );
    }
    return result.data;
  }
}

function itemArray<T extends z.ZodType>(schema: T): z.ZodType<z.infer<T>[]> {
  return schema.array() as unknown as z.ZodType<z.infer<T>[]>;
}

function queryString(query: object | undefined): string {
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
