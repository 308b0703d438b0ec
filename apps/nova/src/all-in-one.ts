import { ComputeClient } from "@nova/client";
import type { NovaConfig } from "@nova/config";
import {
  type ConsoleServer,
  computeApiCloudReader,
  DecisionLog,
  ensureConsoleUi,
  FlowRecorder,
  startConsoleServer,
} from "@nova/console";
import type { NovaLogger, RunnableService } from "@nova/runtime";
import { composeControlPlane } from "@nova/runtime/control-plane";
import type { RequestScope } from "@nova/telemetry";
import type { ComputeDriver } from "@nova/virt";

export { DEFAULT_FLAVORS, DEFAULT_IMAGE_ID } from "@nova/runtime/control-plane";

/** What the all-in-one is started with. */
export interface AllInOneOptions {
  /** Where the SQLite files and images.json live (NOVA_DATA_DIR, default ./data). */
  dataDir: string;
  /** The API port (NOVA_API_PORT, default 8774); 0 picks a free one. */
  apiPort: number;
  /** nova.conf files given with --config-file, applied over the embedded defaults. */
  configFiles?: string[];
  /** Environment for OS_<GROUP>__<OPTION> overrides. */
  env?: Record<string, string | undefined>;
  logger?: NovaLogger;
  /** The request scope `logger` reads request ids from (its mixin); one of its own otherwise. */
  requestScope?: RequestScope;
  /** The Prometheus listener's port on 127.0.0.1 (NOVA_METRICS_PORT, 9102 in `npm start`); 0 picks a free one. */
  metricsPort?: number;
  /** Open a span per API request and RPC hop (the app registered an OpenTelemetry SDK). */
  tracing?: boolean;
  /** The live console's port on 127.0.0.1 (NOVA_CONSOLE_PORT, 9180 in `npm start`); none when undefined. */
  consolePort?: number;
  /** A built console page to serve (tests); built on first start otherwise. */
  consoleUiDir?: string;
  /** Builds the driver of each simulated host (tests size hosts or inject failures); default from nova.conf. */
  driverFor?: (host: string) => ComputeDriver;
}

/** A started (or startable) all-in-one. */
export interface AllInOne {
  readonly config: NovaConfig;
  readonly services: RunnableService[];
  readonly apiPort: () => number;
  /** The driver of each simulated compute host, by host name. */
  readonly drivers: ReadonlyMap<string, ComputeDriver>;
  /** `http://127.0.0.1:<port>/metrics` once listening, when metrics are on. */
  readonly metricsUrl: () => string | undefined;
  /** The live console's URL once listening, when it runs. */
  readonly consoleUrl: () => string | undefined;
  /** Closes transport and databases after the services stopped. */
  cleanup(): Promise<void>;
}

/**
 * The whole control plane in one process (@nova/runtime's composeControlPlane with the all-in-one's defaults):
 * conductor, scheduler, `[fake] host_count` computes on the fake driver (3 by default), and the API, over one
 * in-process transport and SQLite files under the data folder.
 */
export async function createAllInOne(opts: AllInOneOptions): Promise<AllInOne> {
  // The live console watches the plane's one in-process transport (every hop goes through it) and its scheduler.
  const flows = opts.consolePort === undefined ? undefined : new FlowRecorder();
  const decisions = opts.consolePort === undefined ? undefined : new DecisionLog();
  const plane = await composeControlPlane({
    dataDir: opts.dataDir,
    config: {
      files: opts.configFiles ?? [],
      env: opts.env ?? {},
      options: {
        DEFAULT: { host: "aio", osapi_compute_listen_port: String(opts.apiPort) },
        ...(opts.metricsPort === undefined ? {} : { metrics: { listen: `127.0.0.1:${opts.metricsPort}` } }),
      },
    },
    // The listen address and port come from nova.conf (osapi_compute_listen, osapi_compute_listen_port).
    api: {},
    ...(opts.driverFor ? { driver: opts.driverFor } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    telemetry: {
      ...(opts.tracing ? { tracing: true } : {}),
      ...(opts.requestScope ? { requestScope: opts.requestScope } : {}),
    },
    ...(flows && decisions
      ? { observers: { messaging: flows.observer, scheduling: decisions.observer } }
      : {}),
  });
  const services: RunnableService[] = [...plane.services];
  let consoleServer: ConsoleServer | undefined;
  if (flows && opts.consolePort !== undefined) {
    const consolePort = opts.consolePort;
    const consoleLogger = (opts.logger ?? plane.logger).child({ svc: "console" });
    services.push({
      name: "console",
      start: async () => {
        const client = new ComputeClient({ endpoint: plane.apiUrl() ?? "", token: "admin:admin" });
        consoleServer = await startConsoleServer({
          flows,
          ...(decisions ? { decisions } : {}),
          cloud: computeApiCloudReader(client),
          uiDir: opts.consoleUiDir ?? (await ensureConsoleUi()),
          host: "127.0.0.1",
          port: consolePort,
          logger: consoleLogger,
        });
        consoleLogger.info({ url: consoleServer.url }, "serving the live console");
      },
      stop: async () => {
        await consoleServer?.close();
        consoleServer = undefined;
      },
    });
  }
  return {
    config: plane.config,
    services,
    apiPort: () => plane.apiPort(),
    drivers: plane.drivers,
    metricsUrl: () => plane.metricsUrl(),
    consoleUrl: () => consoleServer?.url,
    cleanup: () => plane.close(),
  };
}
