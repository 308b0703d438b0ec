import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_VERSION_HEADER, type ApiVersion, faultNameFor, LEGACY_API_VERSION_HEADER } from "@nova/client";
import { AdmissionGate, type Clock, type Logger, NovaError, systemClock } from "@nova/core";
import { type ApiConfig, type ApiConfigInput, apiConfigSchema } from "./api-config.js";
import type { ApiObserver } from "./api-observer.js";
import type { ComputeBackend } from "./compute-backend.js";
import { ComputeBackendError } from "./errors/compute-backend-error.js";
import { InvalidTokenError, KeystoneUnavailableError } from "./errors/keystone-errors.js";
import { inboundGlobalRequestId } from "./global-request-id.js";
import { HttpFault } from "./http-fault.js";
import { KeystoneAuth } from "./keystone/keystone-auth.js";
import { negotiateMicroversion } from "./microversion.js";
import { noAuth2 } from "./noauth.js";
import { PolicyEnforcer } from "./policy/policy-enforcer.js";
import type { RequestContext } from "./request-context.js";
import { type ApiReply, type Handler, Router } from "./router.js";
import { COMPUTE_ROUTES } from "./routes.js";
import { LinkBuilder, urlJoin } from "./views/links.js";
import { versionsView, versionView } from "./views/version-view.js";

/** What `createApiServer` needs. */
export interface ApiServerOptions {
  /** The control plane the API calls (DbComputeBackend in nova-ts; a FakeComputeBackend in tests). */
  backend: ComputeBackend;
  /** Where request lines and unexpected errors go (pino in the apps). */
  logger: Logger;
  /** nova-api options (Nova's names); parsed with zod here, so invalid values fail at start. */
  config?: ApiConfigInput;
  /** Who may do what (Zed's default rules unless given, e.g. with a policy file's overrides). */
  policy?: PolicyEnforcer;
  /** Watches every request (metrics, traces); none by default. */
  observer?: ApiObserver;
  /** Whose time decides Keystone tokens' expiry and cache lifetimes (default the system clock). */
  clock?: Clock;
}

/** A running (or ready to run) nova-api HTTP server. */
export interface ApiServer {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting connections, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
  /** The underlying node:http server. */
  readonly server: Server;
  /** The parsed configuration in effect. */
  readonly config: ApiConfig;
}

const SUPPORTED_CONTENT_TYPES = ["application/json", "application/vnd.openstack.compute+json"];
const VERSION_PREFIX = "/v2.1";
const LEGACY_PREFIX = "/v2";

/** A request body over `max_request_body_size`; answered with 413. */
class BodyTooLarge extends NovaError {
  constructor() {
    super("REQUEST_BODY_TOO_LARGE", "Request is too large.");
  }
}

/**
 * How long an admitted request holds its slot: past it, a request waiting on something slow (a cell that does
 * not answer within cell_timeout, Keystone retrying) lets the next one in while it goes on waiting.
 */
const REQUEST_LEASE_MS = 2000;

/** Creates the Compute API server (v2.1 subset, noauth2 or Keystone tokens) over a ComputeBackend. */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const config = apiConfigSchema.parse(options.config ?? {});
  const { backend, logger } = options;
  const policy = options.policy ?? new PolicyEnforcer();
  const router = new Router(COMPUTE_ROUTES);
  const keystone =
    config.auth_strategy === "keystone" && config.keystone_authtoken
      ? new KeystoneAuth(config.keystone_authtoken, {
          logger,
          ...(options.clock ? { clock: options.clock } : {}),
        })
      : undefined;
  let inFlight = 0;
  // Requests beyond the limit wait their turn: see AdmissionGate and docs/decisions/2026-12-07-api-admission.md.
  const gate =
    config.max_concurrent_reads > 0
      ? new AdmissionGate({
          limit: config.max_concurrent_reads,
          leaseMs: REQUEST_LEASE_MS,
          clock: options.clock ?? systemClock,
        })
      : undefined;
  let draining = false;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight++;
    if (draining) res.setHeader("Connection", "close");
    res.on("close", () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
    });
    handle(req, res).catch((error: unknown) => {
      // handle() answers every error itself; this is the last guard against a crash.
      logger.error({ err: error }, "response failed");
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = `req-${randomUUID()}`;
    res.setHeader("x-openstack-request-id", requestId);
    res.setHeader("x-compute-request-id", requestId);
    let version: ApiVersion | undefined;
    const method = req.method ?? "GET";
    const url = requestUrl(req);
    const observation = options.observer?.request({ method, requestId, headers: req.headers });
    let route = "unmatched";
    try {
      const body = await readBody(req, config.max_request_body_size);
      const work = () =>
        dispatch(
          req,
          method,
          url,
          body,
          requestId,
          (v) => {
            version = v;
          },
          (r) => {
            route = r;
          },
        );
      const observed = () => (observation ? observation.run(work) : work());
      // Reads render whole lists and are CPU-bound; writes and actions mostly wait on round trips, so only
      // reads take turns.
      const reply = await (gate && method === "GET" ? gate.run(observed) : observed());
      send(res, reply, version);
    } catch (error) {
      send(res, faultReply(error, requestId, method, url.pathname), version);
    } finally {
      logger.info(
        {
          request_id: requestId,
          method,
          path: url.pathname,
          status: res.statusCode,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        `${method} ${url.pathname} status: ${res.statusCode}`,
      );
      observation?.end({ route, status: res.statusCode, microversion: version?.toString() });
    }
  }

  async function dispatch(
    req: IncomingMessage,
    method: string,
    url: URL,
    rawBody: Buffer,
    requestId: string,
    setVersion: (v: ApiVersion) => void,
    setRoute: (route: string) => void,
  ): Promise<ApiReply> {
    const path = url.pathname;
    const root = config.compute_link_prefix ?? `http://${url.host}`;
    // api-paste.ini mounts the version documents outside the auth pipeline: `/`, `/v2` and `/v2.1` (with or
    // without the trailing slash) answer without a token, so clients can discover the endpoint first.
    if (path === "/" || path === "") {
      if (method !== "GET") throw HttpFault.notFound();
      return { status: 200, body: versionsView(root) };
    }
    if (path === LEGACY_PREFIX || path === `${LEGACY_PREFIX}/`) {
      if (method !== "GET") throw HttpFault.notFound();
      // The legacy v2 wrapper answers without microversion headers.
      return { status: 200, body: versionView(`${urlJoin(root, "v2")}/`, "v2.0") };
    }
    if (path !== VERSION_PREFIX && !path.startsWith(`${VERSION_PREFIX}/`)) throw HttpFault.notFound();
    const versionDocument = path === VERSION_PREFIX || path === `${VERSION_PREFIX}/`;
    if (versionDocument && method !== "GET") throw HttpFault.notFound();

    const negotiate = () => {
      const negotiated = negotiateMicroversion(req.headers);
      if (!negotiated.ok) {
        if (negotiated.echo) setVersion(negotiated.echo);
        throw negotiated.fault;
      }
      setVersion(negotiated.version);
      return negotiated.version;
    };
    const links = (projectId: string) =>
      new LinkBuilder(`${url.origin}${VERSION_PREFIX}`, projectId, config.compute_link_prefix);
    if (versionDocument) {
      negotiate();
      return { status: 200, body: versionView(links("").versionRoot()) };
    }

    const remoteAddress = clientAddress(req);
    let context: RequestContext;
    if (keystone) context = await keystoneContext(keystone, req, requestId, remoteAddress);
    else {
      const auth = noAuth2(req.headers, { requestId, remoteAddress, url: url.origin + path });
      if (auth.kind === "token-issued") return { status: 204, headers: auth.headers, body: undefined };
      context = auth.context;
    }

    const below = path.slice(VERSION_PREFIX.length);
    const match = router.match(method, below);
    if (!match) throw HttpFault.notFound();
    setRoute(match.route.pattern);

    const version = negotiate();

    checkContentType(req.headers["content-type"]);

    let handler: Handler | undefined = match.route.handler;
    let body: unknown;
    if (match.route.actions) {
      const parsed = parseJson(rawBody);
      if (
        parsed === null ||
        typeof parsed !== "object" ||
        Array.isArray(parsed) ||
        Object.keys(parsed).length !== 1
      ) {
        throw HttpFault.badRequest("Malformed request body");
      }
      const actionName = Object.keys(parsed)[0]!;
      handler = match.route.actions[actionName];
      if (!handler) throw HttpFault.badRequest(`There is no such action: ${actionName}`);
      setRoute(`${match.route.pattern} ${actionName}`);
      body = parsed;
    } else if (method === "POST" || method === "PUT") {
      body = rawBody.length === 0 ? null : parseJson(rawBody);
    }

    if (match.projectId !== undefined && match.projectId !== context.projectId) {
      throw HttpFault.badRequest(
        `Malformed request URL: URL's project_id '${match.projectId}' doesn't match Context's project_id '${context.projectId}'`,
      );
    }
    return handler!({
      params: match.params,
      query: url.searchParams,
      body,
      version,
      context,
      links: links(match.projectId ?? ""),
      backend,
      config,
      authorize(rule, target) {
        if (!policy.allows(context, rule, target)) throw HttpFault.policy(rule);
      },
      allows: (rule, target) => policy.allows(context, rule, target),
    });
  }

  /** The request context of a Keystone token; 401 or 503 faults as keystonemiddleware answers. */
  async function keystoneContext(
    auth: KeystoneAuth,
    req: IncomingMessage,
    requestId: string,
    remoteAddress: string,
  ): Promise<RequestContext> {
    try {
      const { user, service } = await auth.authenticate(req.headers);
      const globalRequestId = inboundGlobalRequestId(req.headers);
      const { expiresAt: _, ...identity } = user;
      const context: RequestContext = {
        ...identity,
        isAdmin: false,
        requestId,
        remoteAddress,
        ...(globalRequestId !== undefined ? { globalRequestId } : {}),
        ...(service !== undefined ? { service } : {}),
      };
      // Nova's RequestContext: is_admin is what the `context_is_admin` rule says of the caller.
      return { ...context, isAdmin: policy.allows(context, "context_is_admin") };
    } catch (error) {
      if (InvalidTokenError.isInstance(error)) {
        logger.info({ request_id: requestId, reason: error.message }, "Rejecting request: invalid token");
        throw new HttpFault(401, "The request you have made requires authentication.", {
          "WWW-Authenticate": auth.wwwAuthenticate,
        });
      }
      if (KeystoneUnavailableError.isInstance(error)) {
        logger.error({ request_id: requestId, err: error.message }, "Keystone is unavailable");
        throw new HttpFault(
          503,
          "The Keystone service is temporarily unavailable: tokens cannot be validated. Retry later.",
        );
      }
      throw error;
    }
  }

  function faultReply(error: unknown, requestId: string, method: string, path: string): ApiReply {
    let fault: HttpFault;
    if (HttpFault.isInstance(error)) fault = error;
    else if (BodyTooLarge.isInstance(error)) fault = new HttpFault(413, error.message);
    else if (ComputeBackendError.isInstance(error)) {
      // A typed backend error no endpoint mapped: Nova's generic status for its class.
      fault = new HttpFault(error.httpStatus, error.message);
    } else {
      logger.error({ err: error, request_id: requestId, method, path }, "Unexpected API Error");
      const kind = error instanceof Error ? error.constructor.name : typeof error;
      fault = new HttpFault(
        500,
        `Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class '${kind}'>`,
      );
    }
    const name = faultNameFor(fault.status);
    return {
      status: fault.status,
      body: { [name]: { code: fault.status, message: fault.message } },
      headers: { "Content-Type": "application/json; charset=UTF-8", ...fault.headers },
    };
  }

  function send(res: ServerResponse, reply: ApiReply, version: ApiVersion | undefined): void {
    res.statusCode = reply.status;
    if (version) {
      res.setHeader(API_VERSION_HEADER, `compute ${version}`);
      res.setHeader(LEGACY_API_VERSION_HEADER, version.toString());
      res.setHeader("Vary", [API_VERSION_HEADER, LEGACY_API_VERSION_HEADER]);
    }
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.body === undefined) {
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    if (!res.hasHeader("Content-Type")) res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", Buffer.byteLength(text));
    res.end(text);
  }

  function clientAddress(req: IncomingMessage): string {
    const forwarded = req.headers["x-forwarded-for"];
    if (config.use_forwarded_for && typeof forwarded === "string") return forwarded.split(",")[0]!.trim();
    return req.socket.remoteAddress ?? "127.0.0.1";
  }

  return {
    server,
    config,
    listen(port: number, host = "127.0.0.1") {
      return new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The request URL; a Host header that is not a valid host falls back to localhost rather than failing. */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  } catch {
    try {
      return new URL(req.url ?? "/", "http://localhost");
    } catch {
      return new URL("http://localhost/");
    }
  }
}

function checkContentType(header: string | undefined): void {
  if (header === undefined) return;
  const type = header.split(";", 1)[0]!.trim().toLowerCase();
  if (type === "" || type === "text/plain") return;
  if (!SUPPORTED_CONTENT_TYPES.includes(type)) throw new HttpFault(415, "Unsupported Content-Type");
}

// Python's json module cannot nest deeper than its recursion limit (about 1000), so Nova never reads a deeper
// body; refusing deeper ones up front keeps every later walk over the body (validation, reprs) shallow.
const MAX_JSON_DEPTH = 1000;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as JSON, or Nova's 400 "Malformed request body" (bad JSON, not UTF-8, or nested too deep). */
function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    throw HttpFault.badRequest("Malformed request body");
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw HttpFault.badRequest("Malformed request body");
  try {
    return JSON.parse(text);
  } catch {
    throw HttpFault.badRequest("Malformed request body");
  }
}

/** The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    // Drain without buffering so the connection stays usable for the 413.
    req.resume();
    return Promise.reject(new BodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}
