import { type Clock, systemClock } from "@nova/core";
import { z } from "zod";
import { ComputeApiError } from "../compute-api-error.js";
import { EndpointNotFoundError } from "../errors/endpoint-not-found-error.js";
import { HttpTransport, type HttpTransportOptions, type TokenProvider } from "../http-transport.js";
import type { KeystoneAuthOptions } from "./keystone-auth-options.js";

const catalogSchema = z.array(
  z.looseObject({
    type: z.string(),
    name: z.string().optional(),
    endpoints: z.array(
      z.looseObject({
        interface: z.string(),
        url: z.string(),
        region: z.string().nullable().optional(),
        region_id: z.string().nullable().optional(),
      }),
    ),
  }),
);

const tokenBodySchema = z.object({
  token: z.looseObject({ expires_at: z.string(), catalog: catalogSchema.optional() }),
});

/** A Keystone token, when it expires, and the service catalog that came with it. */
export interface KeystoneToken {
  /** The token (`X-Subject-Token`). */
  id: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
  /** The service catalog (empty for an unscoped token). */
  catalog: z.infer<typeof catalogSchema>;
}

// keystoneauth re-authenticates when fewer than this many ms are left (its STALE_TOKEN_DURATION is 30 s).
const REFRESH_MARGIN_MS = 60_000;

/**
 * Tokens from Keystone v3 (`POST /v3/auth/tokens`): authenticates on first use, again shortly before expiry
 * and when the compute API refuses the token; finds the compute endpoint in the catalog. One authentication at
 * a time: concurrent callers share it.
 */
export class KeystoneSession implements TokenProvider {
  private current: KeystoneToken | undefined;
  private pending: Promise<KeystoneToken> | undefined;
  private readonly transport: HttpTransport;
  private readonly clock: Clock;

  /** A session; it authenticates on the first `getToken` or `computeEndpoint`. */
  constructor(
    private readonly options: KeystoneAuthOptions,
    transport: Omit<HttpTransportOptions, "token" | "tokenProvider" | "microversion"> = {},
  ) {
    this.clock = transport.clock ?? systemClock;
    this.transport = new HttpTransport(transport);
  }

  /** A valid token, authenticating first when there is none or it expires within a minute. */
  async getToken(signal?: AbortSignal): Promise<string> {
    return (await this.valid(signal)).id;
  }

  /** Forgets the token; the next call authenticates again. */
  invalidate(): void {
    this.current = undefined;
  }

  /** The compute endpoint of the catalog for the options' interface and region. */
  async computeEndpoint(signal?: AbortSignal): Promise<string> {
    const token = await this.valid(signal);
    const type = this.options.serviceType ?? "compute";
    const wanted = (this.options.interface ?? "public").replace(/URL$/, "");
    const region = this.options.regionName;
    for (const service of token.catalog) {
      if (service.type !== type) continue;
      const endpoint = service.endpoints.find(
        (e) =>
          e.interface === wanted && (region === undefined || e.region === region || e.region_id === region),
      );
      if (endpoint) return endpoint.url;
    }
    throw new EndpointNotFoundError(type, wanted, region);
  }

  private async valid(signal: AbortSignal | undefined): Promise<KeystoneToken> {
    if (this.current && this.current.expiresAt - this.clock.now() > REFRESH_MARGIN_MS) return this.current;
    this.pending ??= this.authenticate(signal).finally(() => {
      this.pending = undefined;
    });
    this.current = await this.pending;
    return this.current;
  }

  private async authenticate(signal: AbortSignal | undefined): Promise<KeystoneToken> {
    const url = `${v3Url(this.options.authUrl)}/auth/tokens`;
    const response = await this.transport.send("POST", url, { auth: authBody(this.options) }, { signal });
    const id = response.headers.get("x-subject-token");
    const parsed = tokenBodySchema.safeParse(response.body);
    if (!id || !parsed.success) {
      throw new ComputeApiError(
        response.status,
        undefined,
        `unexpected Keystone token response${parsed.success ? ": no X-Subject-Token" : `: ${parsed.error.message}`}`,
        undefined,
        response.body,
        "UNEXPECTED_RESPONSE",
      );
    }
    return {
      id,
      expiresAt: Date.parse(parsed.data.token.expires_at),
      catalog: parsed.data.token.catalog ?? [],
    };
  }
}

/** The v3 base of an auth URL: `http://k:5000` and `http://k:5000/v3/` both become `http://k:5000/v3`. */
function v3Url(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, "");
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function domain(name: string | undefined, id: string | undefined): Record<string, string> | undefined {
  if (id !== undefined) return { id };
  if (name !== undefined) return { name };
  return undefined;
}

function user(name: string | undefined, id: string | undefined, domainName?: string, domainId?: string) {
  if (id !== undefined) return { id };
  const d = domain(domainName, domainId);
  return { name, ...(d ? { domain: d } : {}) };
}

/** The `auth` object of `POST /v3/auth/tokens`: identity, and scope unless an application credential. */
function authBody(options: KeystoneAuthOptions): Record<string, unknown> {
  const a = options.auth;
  let identity: Record<string, unknown>;
  if (a.type === "password") {
    identity = {
      methods: ["password"],
      password: {
        user: { ...user(a.username, a.userId, a.userDomainName, a.userDomainId), password: a.password },
      },
    };
  } else if (a.type === "token") {
    identity = { methods: ["token"], token: { id: a.token } };
  } else {
    const credential: Record<string, unknown> = { secret: a.secret };
    if (a.id !== undefined) credential.id = a.id;
    else {
      credential.name = a.name;
      credential.user = user(a.username, a.userId, a.userDomainName, a.userDomainId);
    }
    // An application credential carries its own scope: Keystone refuses another.
    return { identity: { methods: ["application_credential"], application_credential: credential } };
  }
  const scope = scopeOf(options);
  return scope ? { identity, scope } : { identity };
}

function scopeOf(o: KeystoneAuthOptions): Record<string, unknown> | undefined {
  if (o.systemScope !== undefined) return { system: { [o.systemScope]: true } };
  if (o.projectId !== undefined) return { project: { id: o.projectId } };
  if (o.projectName !== undefined) {
    const d = domain(o.projectDomainName, o.projectDomainId);
    return { project: { name: o.projectName, ...(d ? { domain: d } : {}) } };
  }
  const d = domain(o.domainName, o.domainId);
  return d ? { domain: d } : undefined;
}
