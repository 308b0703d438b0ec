import { RpcClient, type Transport } from "@nova/messaging";
import { novaRemoteErrors } from "./nova-exceptions.js";

/** What every RPC API client of a service takes: the transport, and the knobs nova.conf gives it. */
export interface RpcApiOptions {
  /** The transport the client sends on. */
  transport: Transport;
  /** `[upgrade_levels] <service>`: the highest version to send during a rolling upgrade. */
  versionCap?: string | undefined;
  /** `[DEFAULT] rpc_response_timeout` (seconds). */
  rpcResponseTimeout?: number | undefined;
  /** `[DEFAULT] long_rpc_timeout` (seconds), for calls that may legitimately take long. */
  longRpcTimeout?: number | undefined;
  /** `[DEFAULT] control_exchange`; Nova's is `nova`. */
  exchange?: string | undefined;
}

/** Builds the base client of one RPC API, with Nova's remote exceptions rebuilt as typed errors. */
export function makeRpcClient(
  opts: RpcApiOptions,
  topic: string,
  version: string,
  namespace?: string,
): RpcClient {
  return new RpcClient(
    opts.transport,
    {
      topic,
      version,
      ...(namespace ? { namespace } : {}),
      ...(opts.exchange ? { exchange: opts.exchange } : {}),
    },
    {
      remoteErrors: novaRemoteErrors,
      ...(opts.versionCap ? { versionCap: opts.versionCap } : {}),
      ...(opts.rpcResponseTimeout ? { timeout: opts.rpcResponseTimeout } : {}),
    },
  );
}
