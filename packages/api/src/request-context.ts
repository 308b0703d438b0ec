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
}
