import { ConfigError, loadNovaConfig, type NovaConfig } from "@nova/config";
import type { Transport } from "@nova/messaging";
import { Command } from "commander";
import { createLogger, type NovaLogger } from "./logger.js";
import { runUntilSignal } from "./run-service.js";
import type { RunnableService } from "./runnable-service.js";
import { createServiceTelemetry, type ServiceTelemetry } from "./service-telemetry.js";
import { startTracing } from "./tracing.js";
import { createTransport } from "./transport.js";

/**
 * What an app's factory gets: parsed configuration and the shared pieces, ready to compose. Databases are
 * not among them: a service that has any opens them with `openNovaDatabases` from `@nova/runtime/databases`,
 * so a compute never loads a database driver.
 */
export interface ServiceContext {
  /** nova.conf as parsed from `--config-file` and `OS_<GROUP>__<OPTION>` variables. */
  config: NovaConfig;
  /** The process's logger (pino on stderr). */
  logger: NovaLogger;
  /** The transport of `[DEFAULT] transport_url`; closed after the services stopped. */
  transport: Transport;
  /** Metrics, spans and request ids of this process (`apiObserver` for nova-api's server). */
  telemetry: ServiceTelemetry;
}

/** What an app's factory returns: its services, and what to close after they stopped. */
export interface ServiceSet {
  /** Started in order, stopped in reverse. */
  services: RunnableService[];
  /** Closes what the factory opened (databases, a driver) once the services stopped. */
  close?: () => Promise<void>;
}

/**
 * The whole life of a service process: `--config-file` (repeatable) and `OS_<GROUP>__<OPTION>` variables
 * parsed once, an invalid option reported by name with exit code 2, the services started, SIGTERM draining
 * them, exit 0 once stopped.
 */
export async function startService(
  binary: string,
  factory: (ctx: ServiceContext) => Promise<ServiceSet>,
): Promise<never> {
  const program = new Command(binary)
    .option(
      "--config-file <path>",
      "a nova.conf file (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .parse();
  const { configFile } = program.opts<{ configFile: string[] }>();
  let config: NovaConfig;
  try {
    config = loadNovaConfig({ files: configFile, env: process.env });
  } catch (err) {
    console.error(`${binary}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const tracing = startTracing(binary, process.env);
  let telemetry: ServiceTelemetry;
  try {
    telemetry = createServiceTelemetry(config, binary, { tracing: tracing !== undefined });
  } catch (err) {
    console.error(`${binary}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const logger = createLogger(binary, {
    debug: config.DEFAULT.debug,
    mixin: telemetry.requestScope.logMixin,
  });
  let transport: Transport | undefined;
  try {
    transport = createTransport(config, logger, undefined, telemetry.messagingObserver);
    const t = transport;
    await telemetry.start(logger);
    const set = await factory({
      config,
      logger,
      transport: t,
      telemetry,
    });
    await runUntilSignal(
      set.services,
      logger,
      async () => {
        await set.close?.();
        await t.close();
        await telemetry.close();
        await tracing?.shutdown();
      },
      {
        gracefulShutdownTimeout: config.DEFAULT.graceful_shutdown_timeout,
        onShutdownTimeout: () => process.exit(1),
      },
    );
    process.exit(0);
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, `${binary} failed`);
    console.error(`${binary}: ${err instanceof Error ? err.message : String(err)}`);
    await transport?.close().catch(() => undefined);
    await telemetry.close().catch(() => undefined);
    // A library's group (parsed as its service is built) is still a configuration error: exit 2, as above.
    process.exit(ConfigError.isInstance(err) ? 2 : 1);
  }
}
