import type { NovaConfig } from "@nova/config";
import type { Logger } from "@nova/core";
import { type FakeBroker, getTransport, type Transport } from "@nova/messaging";

/**
 * The RPC transport of a service from `[DEFAULT] transport_url` and `[oslo_messaging_rabbit]`; `fake://` needs a
 * shared FakeBroker to connect the services of one process.
 */
export function createTransport(config: NovaConfig, logger: Logger, fakeBroker?: FakeBroker): Transport {
  return getTransport(config.DEFAULT.transport_url, {
    logger,
    ...(fakeBroker ? { fakeBroker } : {}),
    options: {
      ...(config.raw.oslo_messaging_rabbit ?? {}),
      control_exchange: config.DEFAULT.control_exchange,
      rpc_response_timeout: config.DEFAULT.rpc_response_timeout,
    } as never,
  });
}
