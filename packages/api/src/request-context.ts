/** Who is calling, as the auth middleware established it; passed to every ComputeBackend call. */
export interface RequestContext {
  readonly userId: string;
  readonly projectId: string;
  readonly isAdmin: boolean;
  readonly roles: readonly string[];
  /** `req-<uuid>`, returned to the caller and carried into logs and RPC. */
  readonly requestId: string;
  /** The request id of the calling service, when it sent one (`X-OpenStack-Request-ID: req-<uuid>`). */
  readonly globalRequestId?: string;
  readonly remoteAddress: string;
}
