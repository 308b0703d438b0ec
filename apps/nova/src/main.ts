#!/usr/bin/env -S npx tsx
import { createLogger, runUntilSignal } from "@nova/runtime";
import { startTracing } from "@nova/runtime/tracing";
import { RequestScope } from "@nova/telemetry";
// nova-ts all-in-one: `npm start`. Data under NOVA_DATA_DIR (./data), API on 127.0.0.1:NOVA_API_PORT (8774).
import { Command } from "commander";
import { createAllInOne, DEFAULT_IMAGE_ID } from "./all-in-one.js";

const program = new Command("nova-aio")
  .description("The whole nova-ts control plane in one process")
  .option(
    "--config-file <path>",
    "a nova.conf file (repeatable)",
    (v: string, acc: string[]) => [...acc, v],
    [] as string[],
  )
  .parse();
const opts = program.opts<{ configFile: string[] }>();
const requestScope = new RequestScope();
// Readable lines on a terminal, JSON lines otherwise (a pipe, a file, a log collector).
const logger = createLogger("nova", { mixin: requestScope.logMixin, pretty: process.stderr.isTTY === true });
const tracing = startTracing("nova", process.env);

const port = Number(process.env.NOVA_API_PORT ?? 8774);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`NOVA_API_PORT must be a port number, got ${JSON.stringify(process.env.NOVA_API_PORT)}`);
  process.exit(2);
}
const metricsPort = Number(process.env.NOVA_METRICS_PORT ?? 9102);
if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) {
  console.error(
    `NOVA_METRICS_PORT must be a port number, got ${JSON.stringify(process.env.NOVA_METRICS_PORT)}`,
  );
  process.exit(2);
}

const consolePort = Number(process.env.NOVA_CONSOLE_PORT ?? 9180);
if (!Number.isInteger(consolePort) || consolePort < 0 || consolePort > 65535) {
  console.error(
    `NOVA_CONSOLE_PORT must be a port number, got ${JSON.stringify(process.env.NOVA_CONSOLE_PORT)}`,
  );
  process.exit(2);
}

try {
  const aio = await createAllInOne({
    dataDir: process.env.NOVA_DATA_DIR ?? "./data",
    apiPort: port,
    configFiles: opts.configFile,
    env: process.env,
    logger,
    requestScope,
    metricsPort,
    consolePort,
    tracing: tracing !== undefined,
  });
  const cleanup = async () => {
    await aio.cleanup();
    await tracing?.shutdown();
  };
  const done = runUntilSignal(aio.services, logger, cleanup, {
    gracefulShutdownTimeout: aio.config.DEFAULT.graceful_shutdown_timeout,
    onShutdownTimeout: () => process.exit(1),
  });
  // Wait until the API listens, then tell the user how to use it.
  const started = setInterval(() => {
    if (aio.apiPort() === 0 || aio.consoleUrl() === undefined) return;
    clearInterval(started);
    const base = `http://127.0.0.1:${aio.apiPort()}/v2.1`;
    if (aio.config.api.auth_strategy === "keystone") {
      const keystone = aio.config.keystone_authtoken.auth_url;
      process.stdout.write(
        `\nnova-ts is running: Compute API at ${base} (tokens from Keystone at ${keystone})\n`,
      );
      return;
    }
    process.stdout.write(
      [
        "",
        `nova-ts is running: Compute API at ${base} (noauth2: token admin:admin is an admin, user:project a member)`,
        `Prometheus metrics at ${aio.metricsUrl() ?? "(off)"}${tracing ? "; traces exported as OTEL_* says" : ""}`,
        `Live console (services, hypervisors, instances, each boot's messages) at ${aio.consoleUrl() ?? "(off)"}`,
        "",
        "Boot a server:",
        `  curl -s -X POST ${base}/servers -H 'X-Auth-Token: admin:admin' -H 'Content-Type: application/json' \\`,
        `    -d '{"server": {"name": "demo", "flavorRef": "1", "imageRef": "${DEFAULT_IMAGE_ID}"}}'`,
        "Watch it go ACTIVE:",
        `  curl -s ${base}/servers/detail -H 'X-Auth-Token: admin:admin'`,
        "Flavors, images, services:",
        `  curl -s ${base}/flavors -H 'X-Auth-Token: admin:admin'`,
        `  curl -s ${base}/images -H 'X-Auth-Token: admin:admin'`,
        `  curl -s ${base}/os-services -H 'X-Auth-Token: admin:admin'`,
        "Or with the nova command line:",
        `  OS_ENDPOINT=${base} OS_TOKEN=admin:admin npx nova server list`,
        "",
        "Ctrl-C (SIGTERM) stops it cleanly; data stays in the data folder.",
        "",
      ].join("\n"),
    );
  }, 50);
  await done;
  clearInterval(started);
  process.exit(0);
} catch (err) {
  logger.error({ err: err instanceof Error ? err.message : String(err) }, "nova failed to start");
  console.error(`nova: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
