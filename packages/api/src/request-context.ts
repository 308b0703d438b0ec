/** Who is calling, as the auth middleware established it; passed to every ComputeBackend call. */
export interface RequestContext {
  /** The caller's user id. */
  readonly userId: string;
  /** The caller's project id. */
  readonly projectId: string;
  /** Whether the caller has the admin role (Nova's `context.is_admin`). */
  readonly isAdmin: boolean;
  /** The caller's roles. */
  readonly roles: readonly string[];
  /** `req-<uuid>`, returned to the caller and carried into logs and RPC. */
  readonly requestId: string;
  /** The request id of the calling service, when it sent one (`X-OpenStack-Request-ID: req-<uuid>`). */
  readonly globalRequestId?: string;
  /** The client's address (X-Forwarded-For first with `use_forwarded_for`). */
  readonly remoteAddress: string;
  /** The user's name (Keystone tokens). */
  readonly userName?: string;
  /** The project's name (Keystone tokens). */
  readonly projectName?: string;
  /** The user's domain (Keystone tokens). */
  readonly userDomainId?: string;
  /** The project's domain (Keystone project-scoped tokens). */
  readonly projectDomainId?: string;
  /** The domain a domain-scoped Keystone token is scoped to. */
  readonly domainId?: string;
  /** `all` for a system-scoped Keystone token. */
  readonly systemScope?: string;
  /** Keystone's `is_admin_project` for the token's project (true unless Keystone names an admin project). */
  readonly isAdminProject?: boolean;
  /** The calling service's identity when a valid `X-Service-Token` came with the request. */
  readonly service?: ServiceIdentity;
}

/** Who a service token (`X-Service-Token`) belongs to, as keystonemiddleware reports it. */
export interface ServiceIdentity {
  /** The service user's id. */
  readonly userId: string;
  /** The service user's domain. */
  readonly userDomainId?: string;
  /** The service token's project. */
  readonly projectId?: string;
  /** The service project's domain. */
  readonly projectDomainId?: string;
  /** The service token's roles. */
  readonly roles: readonly string[];
}
