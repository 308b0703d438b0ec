import { type ApiConfigInput, type ComputeBackend, createApiServer, type PolicyEnforcer } from "@nova/api";
import { FakeComputeBackend, type FakeComputeBackendOptions } from "@nova/api/test";
import { ComputeClient } from "@nova/client";
import { MemoryLogger } from "@nova/core/test";

/** Starts the real HTTP server on an ephemeral port over a fake (or given) backend. */
export async function startApi(
  options: {
    fake?: FakeComputeBackendOptions;
    backend?: ComputeBackend;
    config?: ApiConfigInput;
    policy?: PolicyEnforcer;
  } = {},
) {
  const fake = new FakeComputeBackend(options.fake);
  const logger = new MemoryLogger();
  const api = createApiServer({
    backend: options.backend ?? fake,
    logger,
    config: options.config ?? {},
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const address = await api.listen(0, "127.0.0.1");
  const root = `http://127.0.0.1:${address.port}`;
  const endpoint = `${root}/v2.1`;
  return {
    api,
    fake,
    logger,
    root,
    endpoint,
    /** An SDK client for `token` (noauth2 `user:project`) at an optional microversion. */
    client(token = "admin:admin", microversion?: string) {
      return new ComputeClient({ endpoint, token, ...(microversion !== undefined ? { microversion } : {}) });
    },
    /** Raw fetch below the root, with the admin token unless headers say otherwise. */
    fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
      return fetch(root + path, { ...init, headers: { "X-Auth-Token": "admin:admin", ...init.headers } });
    },
    close: () => api.close(),
  };
}
