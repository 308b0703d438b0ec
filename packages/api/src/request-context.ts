/** Who is calling, as the auth middleware established it; passed to every ComputeBackend call. */
export interface RequestContext {
  readonly userId: string;
  readonly projectId: string;
  readonly isAdmin: boolean;
  readonly roles: readonly string[];
  /** `req-<uuid>`, returned to the caller and carried into logs and RPC. */
  readonly requestId: string;
  readonly remoteAddress: string;
}
