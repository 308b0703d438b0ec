// The two-cell deployment the distributed cells tests share, as separate processes: a super conductor (its
// [database] is cell0's) with nova-api and nova-scheduler on the top-level vhost, and two cells each with its own
// vhost, MariaDB database, conductor and compute. With `proxyCell2`, everything reaches cell 2's database through
// a TCP proxy in the test process, so a test can make that database stop answering.
import { fileURLToPath } from "node:url";
import { ComputeClient } from "@nova/client";
import { type ApiDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { CELL0_UUID } from "@nova/objects";
import {
  createTestDatabase,
  createTestVhost,
  defaultMariaDb,
  type NovaConfGroups,
  ProcessCluster,
  TcpProxy,
  type TestDatabase,
  type TestVhost,
} from "@nova/testing";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** A running two-cell deployment and what a test reads it through. */
export interface CellsCluster {
  cluster: ProcessCluster;
  client: ComputeClient;
  apiDb: ApiDatabase;
  /** The cells' uuids. */
  cell: { cell1: string; cell2: string };
  /** Cell 2's database as created (direct, not through the proxy). */
  cell2Db: TestDatabase;
  /** The proxy in front of cell 2's database, when asked for. */
  proxy: TcpProxy | undefined;
  /** Where the API database maps the server. */
  cellOf(id: string): Promise<string | undefined>;
  /** Stops the processes and drops what was made. */
  dispose(): Promise<void>;
}

/** Starts the deployment and waits until both computes are mapped to their cells. */
export async function startCellsCluster(opts: {
  prefix: string;
  conf?: NovaConfGroups;
  proxyCell2?: boolean;
  /** More computes in cell 2 besides compute-2 (moves within the cell). */
  moreCell2Computes?: string[];
}): Promise<CellsCluster> {
  const cluster = await ProcessCluster.create({
    root,
    prefix: opts.prefix,
    conf: {
      ...opts.conf,
      DEFAULT: { report_interval: 1, service_down_time: 6, rpc_response_timeout: 10, ...opts.conf?.DEFAULT },
      scheduler: {
        host_state_refresh_interval: 1,
        discover_hosts_in_cells_interval: 1,
        ...opts.conf?.scheduler,
      },
      fake: { vcpus: 4, memory_mb: 4096, local_gb: 100, spawn_delay: 0, ...opts.conf?.fake },
    },
  });
  const apiDb = openApiDatabase(cluster.apiDb.url);
  const made: Array<{ dispose(): Promise<void> }> = [];
  let proxy: TcpProxy | undefined;
  const dispose = async () => {
    await cluster.dispose();
    await apiDb.close();
    await proxy?.close();
    await Promise.allSettled(made.map((m) => m.dispose()));
  };
  try {
    // simple_cell_setup put cell1 on the top-level vhost: give it one of its own, and make cell2 beside it.
    const [vhost1, vhost2, db2] = await Promise.all([
      createTestVhost(`nova-${opts.prefix}-c1`),
      createTestVhost(`nova-${opts.prefix}-c2`),
      createTestDatabase(`${opts.prefix}_c2`),
    ]);
    made.push(vhost1, vhost2, db2);
    const cells = await apiDb.mappings.listCells();
    const cell = { cell1: cells.find((c) => c.uuid !== CELL0_UUID)!.uuid, cell2: "" };
    await apiDb.mappings.updateCell(cell.cell1, { transport_url: vhost1.transportUrl });
    const sync = openCellDatabase(db2.url);
    await sync.sync(); // nova-manage db sync --local_cell, in process to keep the test short
    await sync.close();
    if (opts.proxyCell2) proxy = await TcpProxy.start(defaultMariaDb);
    const db2Url = proxy
      ? db2.url.replace(`@${defaultMariaDb.host}:${defaultMariaDb.port}/`, `@127.0.0.1:${proxy.port}/`)
      : db2.url;
    cell.cell2 = (
      await apiDb.mappings.createCell({
        name: "cell2",
        transport_url: vhost2.transportUrl,
        database_connection: db2Url,
      })
    ).uuid;
    // In process rather than by nova-manage: two fewer processes to start on a shared machine.
    await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
    await apiDb.flavors.create({ name: "huge", flavorid: "huge", memory_mb: 40000, vcpus: 1, root_gb: 1 });

    const cell0Url = (await apiDb.mappings.getCell(CELL0_UUID)).database_connection;
    const inCell = (vhost: TestVhost, host: string, db?: string) => ({
      OS_DEFAULT__HOST: host,
      OS_DEFAULT__TRANSPORT_URL: vhost.transportUrl,
      ...(db ? { OS_DATABASE__CONNECTION: db } : {}),
    });
    const starting = [
      // The super conductor registers in cell0, as Nova's devstack sets it up.
      cluster.start("nova-conductor", "super-conductor", {
        OS_DEFAULT__HOST: "super-conductor",
        OS_DATABASE__CONNECTION: cell0Url,
      }),
      cluster.start("nova-conductor", "conductor-cell1", inCell(vhost1, "conductor-cell1")),
      cluster.start("nova-conductor", "conductor-cell2", inCell(vhost2, "conductor-cell2", db2Url)),
      // Every cell is mapped before it starts: it loads their host states, and maps new hosts itself.
      cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" }),
    ];
    await Promise.all(starting.map((p) => cluster.started(p)));
    cluster.start("nova-compute", "compute-1", inCell(vhost1, "compute-1"));
    cluster.start("nova-compute", "compute-2", inCell(vhost2, "compute-2"));
    for (const host of opts.moreCell2Computes ?? [])
      cluster.start("nova-compute", host, inCell(vhost2, host));
    const api = cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
    const client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
    // The scheduler's periodic discover_hosts maps each compute to its cell once its node is recorded there.
    await cluster.until(
      "every compute mapped to its cell",
      async () => {
        const mapped = await apiDb.mappings.listHostMappings();
        const byHost = new Map(mapped.map((m) => [m.host, m.cell_mapping?.uuid]));
        const inCell2 = ["compute-2", ...(opts.moreCell2Computes ?? [])];
        return byHost.get("compute-1") === cell.cell1 && inCell2.every((h) => byHost.get(h) === cell.cell2)
          ? true
          : undefined;
      },
      90_000,
    );
    await cluster.started(api, 90_000);
    return {
      cluster,
      client,
      apiDb,
      cell,
      cell2Db: db2,
      proxy,
      cellOf: async (id) => (await apiDb.mappings.getInstanceMapping(id)).cell_mapping?.uuid,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
