import { ConfigError, type NovaConfig } from "@nova/config";
import { type Clock, type Logger, silentLogger, systemClock } from "@nova/core";
import {
  parseServiceGroupConfig,
  pluginServiceGroupDriver,
  SERVICE_GROUP_DRIVER_METHODS,
  ServiceGroup,
  type ServiceGroupDriver,
  type ServiceGroupDriverContext,
  type ServiceGroupDriverPlugin,
  type ServiceRecord,
} from "@nova/servicegroup";
import { loadPlugin, parsePluginSpecifier } from "./plugin-loader.js";

/**
 * A servicegroup driver other than `db`, ready for the services of one process: what NovaService's
 * `serviceGroup` option takes, and Nova's `service_is_up` over it for the readers (os-services).
 */
export interface LoadedServiceGroupDriver {
  /** The driver as `servicegroup_driver` names it (`my-drivers#RedisDriver`). */
  readonly name: string;
  /** The driver heartbeats go through, and the deadline each call gets (`serviceGroup` of the services). */
  readonly serviceGroup: { driver: ServiceGroupDriver; callTimeoutMs: number };
  /** Nova's `service_is_up`: forced down is down, else the driver's `isUp` (a failing or hung check: down). */
  serviceIsUp(service: ServiceRecord): Promise<boolean>;
  /** Closes the plug-in (its connections) once the services stopped. */
  close(): Promise<void>;
}

/** A bad `servicegroup_driver`: a ConfigError (exit 2) naming the option and what is known. */
export class ServiceGroupDriverConfigError extends ConfigError {
  /** Builds the error for `value`; `mc` gets its own message (memcache is not supported). */
  constructor(value: string) {
    super(
      "CONFIG_INVALID",
      value === "mc"
        ? `Invalid value for option servicegroup_driver in group [DEFAULT]: "mc": the memcache servicegroup driver is not supported (use db, or a <npm module>#<Export> plug-in)`
        : `Invalid value for option servicegroup_driver in group [DEFAULT]: "${value}" (known: db, or <npm module>#<Export>)`,
      { group: "DEFAULT", option: "servicegroup_driver" },
    );
  }
}

/**
 * The driver `[DEFAULT] servicegroup_driver` names: undefined for `db` (the services' built-in: heartbeats
 * through the conductor into the cell database), or a plug-in loaded from `<npm module>#<Export>` (a
 * ServiceGroupDriverClass, constructed once with a ServiceGroupDriverContext). Nova's `mc` is refused.
 */
export async function loadServiceGroupDriver(
  config: Pick<NovaConfig, "DEFAULT" | "raw">,
  opts: {
    logger: Logger;
    /** Where the driver's module resolves from (the application's folder); the working directory by default. */
    baseDir?: string | undefined;
    /** The clock heartbeats and deadlines run on. */
    clock?: Clock;
  },
): Promise<LoadedServiceGroupDriver | undefined> {
  const name = config.DEFAULT.servicegroup_driver;
  if (name === "db") return undefined;
  if (!parsePluginSpecifier(name)) throw new ServiceGroupDriverConfigError(name);
  const clock = opts.clock ?? systemClock;
  const context: ServiceGroupDriverContext = {
    serviceGroup: serviceGroupConfig(config),
    config: config.raw,
    clock,
    logger: opts.logger,
  };
  const plugin = await loadPlugin<ServiceGroupDriverPlugin>(name, {
    where: { group: "DEFAULT", option: "servicegroup_driver" },
    baseDir: opts.baseDir,
    check: (v) => {
      const proto =
        typeof v === "function" ? (v as { prototype?: Record<string, unknown> }).prototype : undefined;
      if (!proto) return "is not a class (a ServiceGroupDriverClass)";
      const missing = SERVICE_GROUP_DRIVER_METHODS.filter((m) => typeof proto[m] !== "function");
      return missing.length === 0 ? null : `lacks ServiceGroupDriverPlugin methods: ${missing.join(", ")}`;
    },
    build: (v) => new (v as new (c: ServiceGroupDriverContext) => ServiceGroupDriverPlugin)(context),
  });
  return serviceGroupDriverOf(plugin, { name, config, logger: opts.logger, clock });
}

/**
 * A plug-in instance (one a composer passes as `serviceGroupDriver`, or one loaded by name) made ready for the
 * services: each call into it bounded by report_interval (at least 1 s), since a heartbeat that takes longer
 * is missed anyway and the next one is due.
 */
export function serviceGroupDriverOf(
  plugin: ServiceGroupDriverPlugin,
  opts: { name: string; config: Pick<NovaConfig, "DEFAULT">; logger: Logger; clock?: Clock },
): LoadedServiceGroupDriver {
  const clock = opts.clock ?? systemClock;
  const config = serviceGroupConfig(opts.config);
  const driver = pluginServiceGroupDriver(opts.name, plugin, clock);
  const callTimeoutMs = Math.max(1, config.reportInterval) * 1000;
  const readers = new ServiceGroup({
    config,
    driver,
    clock,
    logger: opts.logger,
    driverCallTimeoutMs: callTimeoutMs,
  });
  return {
    name: opts.name,
    serviceGroup: { driver, callTimeoutMs },
    serviceIsUp: (service) => readers.serviceIsUp(service),
    close: async () => {
      await plugin.close?.();
    },
  };
}

function serviceGroupConfig(config: Pick<NovaConfig, "DEFAULT">) {
  return parseServiceGroupConfig(
    {
      report_interval: config.DEFAULT.report_interval,
      service_down_time: config.DEFAULT.service_down_time,
    },
    // The services warn about a corrected service_down_time themselves.
    silentLogger,
  );
}
