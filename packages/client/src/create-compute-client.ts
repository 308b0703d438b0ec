import { KeystoneSession } from "./auth/keystone-session.js";
import { ComputeClient } from "./compute-client.js";
import type { CloudConnection } from "./config/cloud-config.js";
import { CloudConfigError } from "./errors/cloud-config-error.js";
import type { HttpTransportOptions } from "./http-transport.js";

/** Options of {@link createComputeClient}: where and as whom (a {@link CloudConnection}), and how to talk. */
export interface CreateComputeClientOptions
  extends Omit<HttpTransportOptions, "token" | "tokenProvider" | "microversion" | "timeoutMs">,
    Omit<CloudConnection, "microversion"> {
  /**
   * A microversion to pin ("2.60", or "latest"), or a range to negotiate against the server's (the default:
   * the highest version both know, asked once with `GET /v2.1/`).
   */
  microversion?: string | { min?: string; max?: string } | undefined;
  /** Aborts the authentication and negotiation. */
  signal?: AbortSignal | undefined;
}

/**
 * A ComputeClient from a direct endpoint and token, or from Keystone v3 (the compute endpoint found in the
 * catalog, tokens renewed before expiry and once on a 401), with its microversion pinned or negotiated.
 * `createComputeClient(fromEnvironment())` connects as the `openstack` command would.
 */
export async function createComputeClient(options: CreateComputeClientOptions): Promise<ComputeClient> {
  const { keystone, endpoint: given, token, microversion, signal, ...transport } = options;
  let endpoint = given;
  let session: KeystoneSession | undefined;
  if (keystone) {
    session = new KeystoneSession(keystone, transport);
    endpoint ??= await session.computeEndpoint(signal);
  }
  if (!endpoint) throw new CloudConfigError("no compute endpoint: give `endpoint` or `keystone`");
  const client = new ComputeClient({
    ...transport,
    endpoint,
    ...(session ? { tokenProvider: session } : { token }),
    ...(typeof microversion === "string" ? { microversion } : {}),
  });
  if (typeof microversion === "string") return client;
  return client.negotiate(microversion ?? {}, { signal });
}
