import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type Clock, errorMessage, type Logger, retry, systemClock } from "@nova/core";
import { z } from "zod";
import { InvalidTokenError, KeystoneUnavailableError } from "../errors/keystone-errors.js";
import type { ServiceIdentity } from "../request-context.js";
import type { KeystoneAuthtokenConfig } from "./keystone-authtoken-config.js";
import { TokenCache } from "./token-cache.js";

/** Who a valid Keystone token belongs to: the request context's identity fields. */
export interface TokenIdentity {
  /** The user's id. */
  readonly userId: string;
  /** The user's name. */
  readonly userName: string;
  /** The user's domain id. */
  readonly userDomainId: string;
  /** The project of a project-scoped token ("" for system- and domain-scoped ones). */
  readonly projectId: string;
  /** The project's name. */
  readonly projectName?: string;
  /** The project's domain id. */
  readonly projectDomainId?: string;
  /** The domain of a domain-scoped token. */
  readonly domainId?: string;
  /** `all` for a system-scoped token. */
  readonly systemScope?: string;
  /** The roles, implied ones included (Keystone expands them: `member` implies `reader`). */
  readonly roles: readonly string[];
  /** Keystone's `is_admin_project` (true when Keystone names no admin project). */
  readonly isAdminProject: boolean;
  /** When the token stops being valid, ms since the epoch. */
  readonly expiresAt: number;
}

/** A request's callers as Keystone vouches for them: the user, and the service that sent it on, if any. */
export interface AuthenticatedCaller {
  /** The token owner (`X-Auth-Token`). */
  readonly user: TokenIdentity;
  /** The service whose `X-Service-Token` came with the request, when it is valid and holds a service role. */
  readonly service?: ServiceIdentity;
}

/** What {@link KeystoneAuth} needs besides its options. */
export interface KeystoneAuthDeps {
  /** Where rejected tokens and Keystone failures are logged. */
  readonly logger: Logger;
  /** Whose time decides expiry and the cache (default the system clock). */
  readonly clock?: Clock;
}

// keystoneauth renews a token this long before it expires, so no request goes out with one about to lapse.
const SERVICE_TOKEN_MARGIN_MS = 120_000;
// Retries after a network failure wait 0.5 s, 1 s, 2 s ... as keystoneauth's connect retries do.
const RETRY_INTERVAL_MS = 500;
const RETRY_MAX_INTERVAL_MS = 4_000;
// Fernet tokens are about 200 characters, JWS ones under 1 KiB: a longer token is not Keystone's.
const MAX_TOKEN_LENGTH = 8192;
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

const nameRef = z.looseObject({ id: z.string(), name: z.string().optional() });
const tokenBodySchema = z.looseObject({
  token: z.looseObject({
    expires_at: z.string(),
    user: z.looseObject({ id: z.string(), name: z.string(), domain: nameRef }),
    roles: z.array(z.looseObject({ name: z.string() })).default([]),
    project: z.looseObject({ id: z.string(), name: z.string(), domain: nameRef }).optional(),
    domain: nameRef.optional(),
    system: z.record(z.string(), z.unknown()).optional(),
    is_admin_project: z.boolean().optional(),
  }),
});

type Validation = { valid: true; identity: TokenIdentity } | { valid: false; reason: string };

/**
 * keystonemiddleware's auth_token for nova-api: the service logs in with its own password, validates each
 * caller's token with `GET /v3/auth/tokens` (`X-Subject-Token`), and caches the answers, good and bad, in a
 * bounded LRU for `token_cache_time` (never past the token's expiry; a revoked token is therefore honoured
 * until its cached answer lapses, as with keystonemiddleware). Expiry is checked on every request, cached or
 * not, against the injected clock.
 */
export class KeystoneAuth {
  /** The `WWW-Authenticate` value of a 401: `Keystone uri="<www_authenticate_uri>"`. */
  readonly wwwAuthenticate: string;
  private readonly identityUrl: string;
  private readonly clock: Clock;
  private readonly cache: TokenCache<Validation>;
  private readonly pending = new Map<string, Promise<Validation>>();
  private serviceToken: { token: string; expiresAt: number } | undefined;
  private login: Promise<string> | undefined;

  /** Builds the validator; nothing is asked of Keystone until the first request with a token. */
  constructor(
    private readonly config: KeystoneAuthtokenConfig,
    private readonly deps: KeystoneAuthDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.identityUrl = identityV3Url(config.auth_url);
    this.wwwAuthenticate = `Keystone uri="${config.www_authenticate_uri ?? config.auth_url}"`;
    this.cache = new TokenCache(config.token_cache_size);
  }

  /**
   * The callers of a request, from its `X-Auth-Token` (or `X-Storage-Token`) and optional `X-Service-Token`.
   * Throws InvalidTokenError (401) for a missing or refused token, KeystoneUnavailableError (503) when
   * Keystone cannot say.
   */
  async authenticate(headers: IncomingHttpHeaders): Promise<AuthenticatedCaller> {
    const token = single(headers["x-auth-token"]) ?? single(headers["x-storage-token"]);
    if (token === undefined || token === "") throw new InvalidTokenError("no X-Auth-Token");
    const user = await this.validate(token);
    const serviceToken = single(headers["x-service-token"]);
    if (serviceToken === undefined) return { user };
    const service = await this.validate(serviceToken);
    const wanted = new Set(this.config.service_token_roles.map((r) => r.toLowerCase()));
    if (!service.roles.some((r) => wanted.has(r.toLowerCase()))) {
      if (this.config.service_token_roles_required) {
        throw new InvalidTokenError(`the service token holds none of ${this.config.service_token_roles}`);
      }
      // keystonemiddleware's default: warn, and let the request through as the user's alone.
      this.deps.logger.warn(
        { service_user_id: service.userId, roles: service.roles },
        "A valid service token was submitted without a service role; it is ignored",
      );
      return { user };
    }
    return {
      user,
      service: {
        userId: service.userId,
        userDomainId: service.userDomainId,
        roles: service.roles,
        ...(service.projectId ? { projectId: service.projectId } : {}),
        ...(service.projectDomainId ? { projectDomainId: service.projectDomainId } : {}),
      },
    };
  }

  /** Who `token` belongs to, from the cache or Keystone; throws as {@link authenticate} does. */
  async validate(token: string): Promise<TokenIdentity> {
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARS.test(token)) {
      throw new InvalidTokenError("the token is not a Keystone token");
    }
    const now = this.clock.now();
    let validation = this.cache.get(token, now);
    if (validation === undefined) {
      // Concurrent requests with one token share one question to Keystone.
      const key = createHash("sha256").update(token).digest("base64url");
      let asking = this.pending.get(key);
      if (asking === undefined) {
        asking = this.ask(token).finally(() => this.pending.delete(key));
        this.pending.set(key, asking);
      }
      validation = await asking;
    }
    if (!validation.valid) throw new InvalidTokenError(validation.reason);
    // keystonemiddleware checks expiry against its own clock, for cached and fresh answers alike.
    if (validation.identity.expiresAt <= this.clock.now()) {
      this.cache.delete(token);
      throw new InvalidTokenError("the token has expired");
    }
    return validation.identity;
  }

  private async ask(token: string): Promise<Validation> {
    let validation: Validation | undefined;
    for (let attempt = 1; validation === undefined; attempt++) {
      const serviceToken = await this.serviceAuthToken(attempt > 1);
      const response = await this.request(`${this.identityUrl}/auth/tokens?nocatalog`, {
        headers: { "X-Auth-Token": serviceToken, "X-Subject-Token": token, Accept: "application/json" },
      });
      if (response.status === 200) {
        validation = { valid: true, identity: parseToken(await response.json()) };
      } else if (response.status === 404 || response.status === 400) {
        await response.body?.cancel();
        // Keystone's answer for unknown, malformed, expired and revoked tokens alike.
        validation = { valid: false, reason: `Keystone refused the token (${response.status})` };
      } else if (response.status === 401 && attempt === 1) {
        // The service's own token lapsed or was revoked: log in again, once.
        await response.body?.cancel();
        this.serviceToken = undefined;
      } else {
        const text = await response.text().catch(() => "");
        throw new KeystoneUnavailableError(
          `Keystone answered ${response.status} to a token validation: ${text.slice(0, 200)}`,
        );
      }
    }
    const now = this.clock.now();
    if (this.config.token_cache_time >= 0) {
      const until = now + this.config.token_cache_time * 1000;
      const expiresAt = validation.valid ? Math.min(until, validation.identity.expiresAt) : until;
      this.cache.set(token, validation, expiresAt, now);
    }
    return validation;
  }

  /** The service's own token, logging in when there is none or it is about to expire (one login at a time). */
  private async serviceAuthToken(renew: boolean): Promise<string> {
    const held = this.serviceToken;
    if (!renew && held && held.expiresAt - SERVICE_TOKEN_MARGIN_MS > this.clock.now()) return held.token;
    this.login ??= this.passwordLogin().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async passwordLogin(): Promise<string> {
    const c = this.config;
    const response = await this.request(`${this.identityUrl}/auth/tokens?nocatalog`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ["password"],
            password: {
              user: { name: c.username, domain: { name: c.user_domain_name }, password: c.password },
            },
          },
          scope: { project: { name: c.project_name, domain: { name: c.project_domain_name } } },
        },
      }),
    });
    if (response.status !== 201) {
      const text = await response.text().catch(() => "");
      throw new KeystoneUnavailableError(
        `Keystone refused nova's service credentials (user ${c.username}, project ${c.project_name}): ` +
          `${response.status} ${text.slice(0, 200)}`,
      );
    }
    const token = response.headers.get("x-subject-token");
    const body = tokenBodySchema.safeParse(await response.json().catch(() => undefined));
    const expiresAt = body.success ? Date.parse(body.data.token.expires_at) : Number.NaN;
    if (!token || Number.isNaN(expiresAt)) {
      throw new KeystoneUnavailableError("Keystone's answer to the service's login holds no usable token");
    }
    this.serviceToken = { token, expiresAt };
    return token;
  }

  /** One HTTP request to Keystone, tried again after network failures; never a non-Nova error. */
  private request(url: string, init: RequestInit): Promise<Response> {
    return retry(
      {
        maxRetries: this.config.http_request_max_retries,
        intervalMs: RETRY_INTERVAL_MS,
        incInterval: true,
        maxIntervalMs: RETRY_MAX_INTERVAL_MS,
        isRetryable: () => true,
        clock: this.clock,
        onRetry: (attempt, err, waitMs) =>
          this.deps.logger.warn(
            { attempt, wait_ms: waitMs, err: errorMessage(err) },
            "Keystone did not answer; retrying",
          ),
        onExhausted: (attempts, err) =>
          new KeystoneUnavailableError(
            `Keystone at ${this.identityUrl} did not answer after ${attempts} attempts: ${errorMessage(err)}`,
            { cause: err },
          ),
      },
      () => fetch(url, { ...init, signal: AbortSignal.timeout(this.config.http_connect_timeout * 1000) }),
    );
  }
}

/** `<auth_url>/v3` (auth_url may already name the v3 API). */
function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, "");
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

function parseToken(json: unknown): TokenIdentity {
  const parsed = tokenBodySchema.safeParse(json);
  if (!parsed.success) {
    throw new KeystoneUnavailableError(
      `Keystone's token validation answer is not a v3 token: ${parsed.error}`,
    );
  }
  const t = parsed.data.token;
  const expiresAt = Date.parse(t.expires_at);
  if (Number.isNaN(expiresAt)) throw new KeystoneUnavailableError(`unreadable expires_at ${t.expires_at}`);
  const all = t.system?.all === true;
  return {
    userId: t.user.id,
    userName: t.user.name,
    userDomainId: t.user.domain.id,
    projectId: t.project?.id ?? "",
    ...(t.project ? { projectName: t.project.name, projectDomainId: t.project.domain.id } : {}),
    ...(t.domain ? { domainId: t.domain.id } : {}),
    ...(all ? { systemScope: "all" } : {}),
    roles: t.roles.map((r) => r.name),
    isAdminProject: t.is_admin_project ?? true,
    expiresAt,
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
