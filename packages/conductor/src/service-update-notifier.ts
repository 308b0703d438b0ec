import type { Logger } from "@nova/core";
import type { Notifier } from "@nova/messaging";
import { adminContext, toWireContext } from "@nova/rpcapi";
import {
  type ServiceChange,
  type ServiceNotifier,
  type ServiceRecord,
  serviceStatusPayload,
} from "@nova/servicegroup";

/**
 * Sends Nova's versioned `service.update` notification through @nova/messaging's Notifier, published as
 * `<binary>:<host>` of the service concerned, as Nova does. A notification that cannot be sent is logged,
 * never thrown into the liveness check.
 */
export class ServiceUpdateNotifier implements ServiceNotifier {
  constructor(
    private readonly notifier: Notifier,
    private readonly logger: Logger,
  ) {}

  /** Sends `service.update` for `service` after `change`; a failure is logged, never thrown. */
  async serviceUpdate(service: ServiceRecord, change: ServiceChange): Promise<void> {
    const up = change !== "down" && change !== "forced_down" && !service.forcedDown;
    try {
      await this.notifier
        .prepare({ publisherId: `${service.binary}:${service.host}` })
        .info(toWireContext(adminContext()), "service.update", serviceStatusPayload(service, up));
    } catch (err) {
      this.logger.warn(
        { host: service.host, binary: service.binary, err: String(err) },
        "Could not notify service.update",
      );
    }
  }
}
