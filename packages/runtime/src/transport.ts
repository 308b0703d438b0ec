import { type NovaConfig, parseGroup } from "@nova/config";
import type { Logger } from "@nova/core";
import {
  type FakeBroker,
  getTransport,
  type MessagingObserver,
  type MessagingOptions,
  parseMessagingOptions,
  type Transport,
} from "@nova/messaging";

/**
 * The messaging options of nova.conf, as @nova/messaging declares them (`[DEFAULT]` `control_exchange`,
 * `rpc_response_timeout`, `executor_thread_pool_size`, and `[oslo_messaging_rabbit]`); a bad value is a
 * ConfigError naming its group and option.
 */
export function messagingOptions(config: Pick<NovaConfig, "raw">): MessagingOptions {
  return parseGroup(config, ["DEFAULT", "oslo_messaging_rabbit"], (raw) =>
    // Nova's default exchange (nova/rpc.py sets it over oslo.messaging's "openstack").
    parseMessagingOptions({ control_exchange: "nova", ...raw }),
  );
}

/**
 * The RPC transport of a service from `[DEFAULT] transport_url` and the messaging options; `fake://` needs a
 * shared FakeBroker to connect the services of one process.
 */
export function createTransport(
  config: Pick<NovaConfig, "DEFAULT" | "raw">,
  logger: Logger,
  fakeBroker?: FakeBroker,
  observer?: MessagingObserver,
): Transport {
  return getTransport(config.DEFAULT.transport_url, {
    logger,
    ...(fakeBroker ? { fakeBroker } : {}),
    ...(observer ? { observer } : {}),
    options: messagingOptions(config),
  });
}
