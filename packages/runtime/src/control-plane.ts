// @nova/runtime/control-plane: a whole control plane, or any part of it, started in the calling process.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ComputeClient } from "@nova/client";
import { loadNovaConfig, type NovaConfig, type RawConfig } from "@nova/config";
import type { ImageCatalogEntry, ImageCatalogWithFiles } from "@nova/image-catalog";
import { combineObservers, FakeBroker, type MessagingObserver, type Transport } from "@nova/messaging";
import type { SchedulingObserver } from "@nova/scheduler";
import type { ServiceGroupDriverPlugin } from "@nova/servicegroup";
import type { RequestScope } from "@nova/telemetry";
import type { ComputeDriver } from "@nova/virt";
import { buildApi } from "./api.js";
import { buildCompute, loadComputeDriver } from "./compute.js";
import { buildConductor } from "./conductor.js";
import { type NovaDatabases, openNovaDatabases } from "./databases.js";
import { loadImageCatalog } from "./image-catalog.js";
import { createLogger, type NovaLogger } from "./logger.js";
import type { RunnableService } from "./runnable-service.js";
import { buildScheduler, loadSchedulerPlugins } from "./scheduler.js";
import { createServiceTelemetry, metricsListen } from "./service-telemetry.js";
import {
  type LoadedServiceGroupDriver,
  loadServiceGroupDriver,
  serviceGroupDriverOf,
} from "./servicegroup-driver.js";
import { createTransport } from "./transport.js";

/** The services a control plane can run in one process. */
export type ControlPlaneService = "conductor" | "scheduler" | "compute" | "api";

/** A flavor created when the API database has none. */
export interface FlavorSeed {
  /** The flavor id (`flavorRef`). */
  flavorid: string;
  /** Its name. */
  name: string;
  /** RAM in MiB. */
  memory_mb: number;
  /** Virtual CPUs. */
  vcpus: number;
  /** Root disk in GiB. */
  root_gb: number;
}

/** The image a fresh control plane lists (a fake image: the fake driver needs no bits). */
export const DEFAULT_IMAGE_ID = "5d3b6b4e-3c1a-4a4e-9f6e-2c1f0b0a1c01";

/** Nova's classic m1 flavors, created when the API database has none. */
export const DEFAULT_FLAVORS: readonly FlavorSeed[] = [
  { flavorid: "1", name: "m1.tiny", memory_mb: 512, vcpus: 1, root_gb: 1 },
  { flavorid: "2", name: "m1.small", memory_mb: 2048, vcpus: 1, root_gb: 20 },
  { flavorid: "3", name: "m1.medium", memory_mb: 4096, vcpus: 2, root_gb: 40 },
  { flavorid: "4", name: "m1.large", memory_mb: 8192, vcpus: 4, root_gb: 80 },
];

const DEFAULT_IMAGES: ImageCatalogEntry[] = [
  {
    id: DEFAULT_IMAGE_ID,
    name: "cirros-0.6.2-x86_64-disk",
    min_ram: 0,
    min_disk: 0,
    size: 21430272,
    properties: { hw_architecture: "x86_64" },
    created_at: "2026-11-27T00:00:00Z",
  },
];

/** What a control plane is composed of; everything is optional. */
export interface ControlPlaneOptions {
  /**
   * nova.conf: a loaded configuration, or files, environment overrides (`OS_<GROUP>__<OPTION>`) and groups of
   * options applied over the embedded defaults (in-process transport, SQLite files under `dataDir`).
   */
  config?: NovaConfig | { files?: string[]; env?: Record<string, string | undefined>; options?: RawConfig };
  /** Where the SQLite files and images.json live; a fresh temporary folder (removed by stop) by default. */
  dataDir?: string;
  /** The services to run (default: all four). */
  services?: readonly ControlPlaneService[];
  /** The bus; by default one from `transport_url` (an in-process broker for `fake://`), closed by stop. */
  transport?: Transport;
  /** The databases; by default opened from `[api_database]`/`[database]` and migrated, closed by stop. */
  database?: NovaDatabases;
  /** The compute hosts: a count (`fake-1` ... `fake-<n>`) or names; default `[fake] host_count`. */
  computes?: number | readonly string[];
  /** Each compute host's driver; by default the one `compute_driver` names (loaded by name when a specifier). */
  driver?: (host: string) => ComputeDriver | Promise<ComputeDriver>;
  /**
   * The servicegroup driver every service of the plane reports through and os-services reads liveness from;
   * by default the one `servicegroup_driver` names (`db`, or loaded by name when a specifier).
   */
  serviceGroupDriver?: ServiceGroupDriverPlugin;
  /** The API's address; port 0 (the default) picks a free one. */
  api?: { host?: string; port?: number };
  /** What nova-api lists; by default what `[glance] image_catalog` names (`local`: `<dataDir>/images.json`, else one fake image). */
  images?: ImageCatalogWithFiles;
  /** Flavors created when the API database has none (default: Nova's m1 flavors); [] creates none. */
  flavors?: readonly FlavorSeed[];
  /** Where plug-ins named in nova.conf resolve from; the working directory by default. */
  baseDir?: string;
  /** Where the services log (default: a pino logger at `warn`, `debug` with `[DEFAULT] debug`). */
  logger?: NovaLogger;
  /**
   * Metrics (served when nova.conf sets `[metrics] listen`) and traces: spans when `tracing` (the caller
   * registered an OpenTelemetry SDK), request ids from `requestScope` (the mixin of the caller's logger).
   */
  telemetry?: { tracing?: boolean; requestScope?: RequestScope };
  /** Extra watchers: every RPC hop on the plane's own transport, and every scheduling decision (a console). */
  observers?: { messaging?: MessagingObserver; scheduling?: SchedulingObserver };
}

/** A composed control plane: its parts, not yet started. */
export interface ComposedControlPlane {
  /** The configuration it runs with. */
  readonly config: NovaConfig;
  /** The services in start order (conductor, scheduler, computes, API). */
  readonly services: readonly RunnableService[];
  /** The bus the services share. */
  readonly transport: Transport;
  /** Where its services log. */
  readonly logger: NovaLogger;
  /** The databases (absent when only computes run). */
  readonly database: NovaDatabases | undefined;
  /** Each compute host's driver, by host name. */
  readonly drivers: ReadonlyMap<string, ComputeDriver>;
  /** The API's base URL (`http://127.0.0.1:<port>/v2.1`) once started; undefined without an API. */
  apiUrl(): string | undefined;
  /** The API's bound port once started (0 before, or without an API). */
  apiPort(): number;
  /** The Prometheus endpoint once listening, when `[metrics] listen` is set. */
  metricsUrl(): string | undefined;
  /** A Compute API client pointed at the API (`admin:admin` under noauth2 by default). */
  client(token?: string): ComputeClient;
  /** Closes what was opened here (transport, databases, temporary folder) once the services stopped. */
  close(): Promise<void>;
}

/** A started control plane. */
export interface ControlPlane extends ComposedControlPlane {
  /** A Compute API client pointed at the API, as `admin:admin` (throws when the plane runs no API). */
  readonly compute: ComputeClient;
  /** Stops the services (last started first) and closes what was opened. */
  stop(): Promise<void>;
}

const ALL: readonly ControlPlaneService[] = ["conductor", "scheduler", "compute", "api"];

/**
 * Builds the services `options` ask for (all of them by default) over one transport and set of databases,
 * without starting them: an app hands them to runUntilSignal; {@link createControlPlane} starts them.
 */
export async function composeControlPlane(options: ControlPlaneOptions = {}): Promise<ComposedControlPlane> {
  const temporary =
    options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "nova-control-plane-")) : undefined;
  const dataDir = resolve(options.dataDir ?? temporary!);
  mkdirSync(dataDir, { recursive: true });
  const opened: Array<() => Promise<void>> = [];
  const close = async () => {
    while (opened.length > 0) await opened.pop()!();
  };
  if (temporary) opened.push(async () => rmSync(temporary, { recursive: true, force: true }));
  try {
    const config = loadConfig(options, dataDir);
    const telemetry = createServiceTelemetry(config, "nova", options.telemetry ?? {});
    const logger =
      options.logger ??
      createLogger("nova", {
        level: config.DEFAULT.debug ? "debug" : "warn",
        mixin: telemetry.requestScope.logMixin,
      });
    const wanted = new Set(options.services ?? ALL);
    let database = options.database;
    if (!database && (wanted.has("conductor") || wanted.has("scheduler") || wanted.has("api"))) {
      const dbs = await openNovaDatabases(config, { sync: true, observer: telemetry.databaseObserver });
      opened.push(() => dbs.close());
      database = dbs;
    }
    if (database && wanted.has("api")) await ensureFlavors(database, options.flavors ?? DEFAULT_FLAVORS);
    let transport = options.transport;
    if (!transport) {
      const t = createTransport(
        config,
        logger,
        new FakeBroker(),
        combineObservers(telemetry.messagingObserver, options.observers?.messaging),
      );
      opened.push(() => t.close());
      transport = t;
    }
    // One driver for the whole plane: its services share what it stores (an in-memory driver works here).
    let serviceGroup: LoadedServiceGroupDriver | undefined;
    if (options.serviceGroupDriver) {
      serviceGroup = serviceGroupDriverOf(options.serviceGroupDriver, {
        name: "serviceGroupDriver",
        config,
        logger,
      });
    } else {
      const loaded = await loadServiceGroupDriver(config, { logger, baseDir: options.baseDir });
      if (loaded) opened.push(() => loaded.close());
      serviceGroup = loaded;
    }
    const needsImages = wanted.has("api") || wanted.has("compute");
    // state_path is dataDir (the embedded default), so `local` reads <dataDir>/images.json.
    const images =
      options.images ??
      (needsImages
        ? await loadImageCatalog(config, { logger, baseDir: options.baseDir, fallback: DEFAULT_IMAGES })
        : undefined);
    const services: RunnableService[] = [];
    // The Prometheus listener runs only where nova.conf asks for one (`[metrics] listen`).
    if (metricsListen(config)) {
      services.push({
        name: "metrics",
        start: async () => void (await telemetry.start(logger)),
        stop: () => telemetry.close(),
      });
    }
    const dbs = database;
    const withDb = <T>(service: string, build: (d: NovaDatabases) => T): T => {
      if (!dbs) throw new Error(`${service} needs the databases`);
      return build(dbs);
    };
    if (wanted.has("conductor")) {
      const conductor = withDb("nova-conductor", (d) =>
        buildConductor(config, {
          transport,
          dbs: d,
          logger: logger.child({ svc: "conductor" }),
          telemetry,
          serviceGroup,
        }),
      );
      services.push({ name: "nova-conductor", start: () => conductor.start(), stop: () => conductor.stop() });
    }
    if (wanted.has("scheduler")) {
      const plugins = await loadSchedulerPlugins(config, { baseDir: options.baseDir });
      const scheduler = withDb("nova-scheduler", (d) =>
        buildScheduler(config, {
          transport,
          dbs: d,
          logger: logger.child({ svc: "scheduler" }),
          plugins,
          serviceGroup,
          schedulingObserver: bothSchedulingObservers(
            options.observers?.scheduling,
            telemetry.schedulingObserver,
          ),
        }),
      );
      services.push({ name: "nova-scheduler", start: () => scheduler.start(), stop: () => scheduler.stop() });
    }
    const drivers = new Map<string, ComputeDriver>();
    if (wanted.has("compute")) {
      for (const host of computeHosts(options.computes, config)) {
        const driver = options.driver
          ? await options.driver(host)
          : await loadComputeDriver(config, {
              nodename: host,
              logger: logger.child({ svc: "driver", host }),
              ...(images?.files ? { imageFiles: images.files, images } : {}),
              ...(options.baseDir ? { baseDir: options.baseDir } : {}),
            });
        drivers.set(host, driver);
        const compute = buildCompute(config, {
          transport,
          driver,
          host,
          logger: logger.child({ svc: "compute", host }),
          serviceGroup,
          // Snapshots, shelved and backup images go into the catalogue the API lists.
          ...(images ? { images } : {}),
          activity: telemetry.activityObserver,
        });
        services.push({
          name: `nova-compute ${host}`,
          start: () => compute.start(),
          stop: async () => {
            await compute.stop();
            await driver.close();
          },
        });
      }
    }
    let apiPort: () => number = () => 0;
    let apiUrl: () => string | undefined = () => undefined;
    if (wanted.has("api")) {
      const listen = {
        host: options.api?.host ?? config.DEFAULT.osapi_compute_listen,
        port: options.api?.port ?? config.DEFAULT.osapi_compute_listen_port,
      };
      const api = withDb("nova-api", (d) =>
        buildApi(config, {
          transport,
          dbs: d,
          images: images!,
          logger: logger.child({ svc: "api" }),
          observer: telemetry.apiObserver,
          databaseObserver: telemetry.databaseObserver,
          listen,
          serviceGroup,
        }),
      );
      services.push(api);
      const host = listen.host === "0.0.0.0" ? "127.0.0.1" : listen.host;
      apiPort = () => api.port();
      apiUrl = () => (api.port() === 0 ? undefined : `http://${host}:${api.port()}/v2.1`);
    }
    return {
      config,
      services,
      transport,
      logger,
      database,
      drivers,
      apiUrl,
      apiPort,
      metricsUrl: () => telemetry.metricsUrl(),
      client: (token = "admin:admin") => {
        const endpoint = apiUrl();
        if (!endpoint) throw new Error("the control plane runs no API, or it has not started");
        return new ComputeClient({ endpoint, token });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Composes and starts a control plane in this process (by default: conductor, scheduler, `[fake] host_count`
 * computes on the fake driver and the API on a free port, over an in-process transport and SQLite files in a
 * temporary folder), and returns it with a Compute API client. A service that fails to start stops the rest.
 */
export async function createControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const composed = await composeControlPlane(options);
  const started: RunnableService[] = [];
  const stop = async () => {
    while (started.length > 0) await started.pop()!.stop();
    await composed.close();
  };
  try {
    for (const s of composed.services) {
      await s.start();
      started.push(s);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  let compute: ComputeClient | undefined;
  return {
    ...composed,
    get compute() {
      compute ??= composed.client();
      return compute;
    },
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
}

function loadConfig(options: ControlPlaneOptions, dataDir: string): NovaConfig {
  const given = options.config;
  if (given && "raw" in given) return given;
  const port = options.api?.port ?? 0;
  return loadNovaConfig({
    defaults: mergeGroups(
      {
        DEFAULT: {
          host: "control-plane",
          transport_url: "fake://",
          state_path: dataDir,
          osapi_compute_listen: "127.0.0.1",
          osapi_compute_listen_port: String(port),
        },
        database: { connection: `sqlite:///${join(dataDir, "nova.sqlite")}` },
        api_database: { connection: `sqlite:///${join(dataDir, "nova_api.sqlite")}` },
        fake: { host_count: "3" },
      },
      given?.options ?? {},
    ),
    files: given?.files ?? [],
    env: given?.env ?? {},
  });
}

function mergeGroups(base: RawConfig, over: RawConfig): RawConfig {
  const out: RawConfig = { ...base };
  for (const [group, values] of Object.entries(over)) out[group] = { ...(out[group] ?? {}), ...values };
  return out;
}

function computeHosts(computes: ControlPlaneOptions["computes"], config: NovaConfig): string[] {
  if (Array.isArray(computes)) return [...(computes as readonly string[])];
  const count = typeof computes === "number" ? computes : config.fake.host_count;
  return Array.from({ length: count }, (_, i) => `fake-${i + 1}`);
}

async function ensureFlavors(dbs: NovaDatabases, flavors: readonly FlavorSeed[]): Promise<void> {
  if (flavors.length === 0) return;
  const existing = await dbs.apiDb.flavors.list({}, { limit: 1 });
  if (existing.length > 0) return;
  for (const f of flavors) await dbs.apiDb.flavors.create(f);
}

// The scheduler takes one observer: the caller's (a console) and the metrics' both see each decision.
function bothSchedulingObservers(
  a: SchedulingObserver | undefined,
  b: SchedulingObserver | undefined,
): SchedulingObserver | undefined {
  if (!a || !b) return a ?? b;
  return {
    decision(d) {
      a.decision(d);
      b.decision(d);
    },
  };
}
