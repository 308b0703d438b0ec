import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadNovaConfig, type NovaConfig } from "@nova/config";
import { LocalImageCatalog } from "@nova/image-catalog";
import { FakeBroker, type Transport } from "@nova/messaging";
import { createLogger, createTransport, type NovaLogger, type RunnableService } from "@nova/runtime";
import { buildApi } from "@nova/runtime/api";
import { buildCompute, createComputeDriver } from "@nova/runtime/compute";
import { buildConductor } from "@nova/runtime/conductor";
import { type NovaDatabases, openNovaDatabases } from "@nova/runtime/databases";
import { buildScheduler } from "@nova/runtime/scheduler";
import type { ComputeDriver } from "@nova/virt";

/** The image every fresh all-in-one lists (a fake image: the fake driver needs no bits). */
export const DEFAULT_IMAGE_ID = "5d3b6b4e-3c1a-4a4e-9f6e-2c1f0b0a1c01";

/** Nova's classic m1 flavors, created on first start when the API database has none. */
export const DEFAULT_FLAVORS = [
  { flavorid: "1", name: "m1.tiny", memory_mb: 512, vcpus: 1, root_gb: 1 },
  { flavorid: "2", name: "m1.small", memory_mb: 2048, vcpus: 1, root_gb: 20 },
  { flavorid: "3", name: "m1.medium", memory_mb: 4096, vcpus: 2, root_gb: 40 },
  { flavorid: "4", name: "m1.large", memory_mb: 8192, vcpus: 4, root_gb: 80 },
];

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
  /** Closes transport and databases after the services stopped. */
  cleanup(): Promise<void>;
}

/**
 * Composes the whole control plane in one process: conductor, scheduler, `[fake] host_count` computes on
 * the fake driver, and the API, over one in-process transport and SQLite files under the data folder.
 */
export async function createAllInOne(opts: AllInOneOptions): Promise<AllInOne> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const config = loadNovaConfig({
    defaults: {
      DEFAULT: {
        host: "aio",
        transport_url: "fake://",
        state_path: dataDir,
        osapi_compute_listen: "127.0.0.1",
        osapi_compute_listen_port: opts.apiPort,
      },
      database: { connection: `sqlite:///${join(dataDir, "nova.sqlite")}` },
      api_database: { connection: `sqlite:///${join(dataDir, "nova_api.sqlite")}` },
      fake: { host_count: 3 },
    },
    files: opts.configFiles ?? [],
    env: opts.env ?? {},
  });
  const logger = opts.logger ?? createLogger("nova", { debug: config.DEFAULT.debug });
  const dbs = await openNovaDatabases(config, { sync: true });
  let transport: Transport | undefined;
  try {
    await ensureFlavors(dbs);
    const images = LocalImageCatalog.fromStateDir(dataDir, [
      {
        id: DEFAULT_IMAGE_ID,
        name: "cirros-0.6.2-x86_64-disk",
        min_ram: 0,
        min_disk: 0,
        size: 21430272,
        properties: { hw_architecture: "x86_64" },
        created_at: "2026-11-27T00:00:00Z",
      },
    ]);
    transport = createTransport(config, logger, new FakeBroker());
    const t = transport;
    const services: RunnableService[] = [
      named(
        "nova-conductor",
        buildConductor(config, { transport: t, dbs, logger: logger.child({ svc: "conductor" }) }),
      ),
      named(
        "nova-scheduler",
        buildScheduler(config, { transport: t, dbs, logger: logger.child({ svc: "scheduler" }) }),
      ),
    ];
    const drivers = new Map<string, ComputeDriver>();
    for (let i = 1; i <= config.fake.host_count; i++) {
      const host = `fake-${i}`;
      const driver =
        opts.driverFor?.(host) ?? createComputeDriver(config, { nodename: host, imageFiles: images.files });
      drivers.set(host, driver);
      const compute = buildCompute(config, {
        transport: t,
        driver,
        host,
        logger: logger.child({ svc: "compute", host }),
        images,
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
    const api = buildApi(config, {
      transport: t,
      dbs,
      images,
      logger: logger.child({ svc: "api" }),
      listen: { host: config.DEFAULT.osapi_compute_listen, port: config.DEFAULT.osapi_compute_listen_port },
    });
    services.push(api);
    return {
      config,
      services,
      apiPort: () => api.port(),
      drivers,
      cleanup: async () => {
        await t.close();
        await dbs.close();
      },
    };
  } catch (err) {
    await transport?.close();
    await dbs.close();
    throw err;
  }
}

function named(name: string, s: { start(): Promise<void>; stop(): Promise<void> }): RunnableService {
  return { name, start: () => s.start(), stop: () => s.stop() };
}

async function ensureFlavors(dbs: NovaDatabases): Promise<void> {
  const existing = await dbs.apiDb.flavors.list({}, { limit: 1 });
  if (existing.length > 0) return;
  for (const f of DEFAULT_FLAVORS) await dbs.apiDb.flavors.create(f);
}
