// What the process-cluster move tests share: starting the control plane, waiting for the computes, and the
// claims check (every node's usage equals what its servers and moves in progress hold, as os-hypervisors shows).
import { ComputeClient } from "@nova/client";
import { type CellDatabase, openCellDatabase } from "@nova/db";
import { ProcessCluster } from "@nova/testing";
import { expect } from "vitest";

/** Used vCPUs, RAM (MB) and disk (GB): a flavor's size or a host's usage. */
export interface Usage {
  /** vCPUs. */
  vcpus: number;
  /** RAM, in MB. */
  ram: number;
  /** Disk, in GB. */
  disk: number;
}

/** m1.tiny (flavor 1), which every move cluster has. */
export const TINY: Usage = { vcpus: 1, ram: 512, disk: 1 };
/** `reserved_host_memory_mb`: what every node counts as used before any guest. */
export const RESERVED_RAM = 512;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

/** A move test's cluster: its processes, its cell database and an admin client of its API. */
export interface MoveCluster {
  /** The processes. */
  cluster: ProcessCluster;
  /** The cell database, read by the checks. */
  cellDb: CellDatabase;
  /** The Compute API, as admin. */
  client: ComputeClient;
}

/**
 * A process cluster for the move tests: fake hosts of 16 vCPUs, 16 GB and 200 GB, m1.tiny and `flavors`, the
 * conductor, the scheduler, one compute per key of `computes` (its value: the compute's own environment, which
 * can change its size or inject failures) and the API started, every compute up and known to the scheduler.
 */
export async function startMoveCluster(
  root: string,
  prefix: string,
  computes: Record<string, Record<string, string>>,
  flavors: { name: string; id: string; vcpus: number; ram: number; disk: number }[] = [],
): Promise<MoveCluster> {
  const cluster = await ProcessCluster.create({
    root,
    prefix,
    conf: {
      // Roomy timeouts: on a loaded CI machine a starved compute must not look down, nor a call time out, and
      // turn the scheduler's pick into the next alternate.
      DEFAULT: { report_interval: 1, service_down_time: 30, rpc_response_timeout: 30 },
      fake: { vcpus: 16, memory_mb: 16384, local_gb: 200, spawn_delay: 0 },
      filter_scheduler: { build_failure_weight_multiplier: 0 },
      // The scheduler polls for new nodes; a short interval keeps the window small between a compute's node
      // row existing (what untilComputesKnown sees) and the scheduler placing onto it.
      scheduler: { host_state_refresh_interval: 0.5 },
    },
  });
  const cellDb = openCellDatabase(cluster.cellDb.url);
  try {
    for (const f of [{ name: "m1.tiny", id: "1", ...TINY }, ...flavors]) await cluster.createFlavor(f);
    await startControlPlane(cluster);
    for (const [host, env] of Object.entries(computes)) {
      cluster.start("nova-compute", host, { OS_DEFAULT__HOST: host, ...env });
    }
    cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
    const client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
    await untilComputesKnown(cluster, client, cellDb, Object.keys(computes));
    return { cluster, cellDb, client };
  } catch (err) {
    // The caller's afterAll never sees this cluster: it is disposed here.
    await cellDb.close();
    await cluster.dispose();
    throw err;
  }
}

/** Closes what {@link startMoveCluster} opened, if it got that far. */
export async function disposeMoveCluster(m: Partial<MoveCluster>): Promise<void> {
  await m.cellDb?.close();
  await m.cluster?.dispose();
}

/** Starts the conductor and the scheduler, each waited for. */
export async function startControlPlane(cluster: ProcessCluster): Promise<void> {
  await cluster.started(cluster.start("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" }));
  await cluster.started(cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" }));
}

/** Waits until every one of `computes` is up and has its compute node in the cell. */
export async function untilComputesKnown(
  cluster: ProcessCluster,
  client: ComputeClient,
  cellDb: CellDatabase,
  computes: readonly string[],
): Promise<void> {
  await cluster.until(
    "the computes up and known to the scheduler",
    async () => {
      const up = (await client.listServices({ binary: "nova-compute" }))
        .filter((s) => s.state === "up")
        .map((s) => s.host);
      const nodes = await cellDb.computeNodes.list();
      return computes.every((h) => up.includes(h) && nodes.some((n) => n.host === h)) ? true : undefined;
    },
    60_000,
  );
}

/** Used vCPUs, RAM and disk per compute host, as os-hypervisors shows them. */
export async function hypervisorUsage(client: ComputeClient): Promise<Record<string, Usage>> {
  const res = await client.request("GET", "/os-hypervisors/detail");
  const out: Record<string, Usage> = {};
  for (const h of (res.body as Json).hypervisors) {
    out[h.service.host] = { vcpus: h.vcpus_used, ram: h.memory_mb_used, disk: h.local_gb_used };
  }
  return out;
}

/**
 * The claims check: each of `computes` uses `reservedRam` plus its servers' flavors plus `moves` (the side of
 * each move in progress the server itself does not hold).
 */
export async function expectClaimsExact(
  client: ComputeClient,
  computes: readonly string[],
  reservedRam: number,
  moves: Record<string, Usage> = {},
): Promise<void> {
  const servers = (await client.with({ microversion: "2.47" }).request("GET", "/servers/detail"))
    .body as Json;
  const expected: Record<string, Usage> = {};
  for (const h of computes) expected[h] = { vcpus: 0, ram: reservedRam, disk: 0 };
  const add = (host: string, f: Usage) => {
    expected[host]!.vcpus += f.vcpus;
    expected[host]!.ram += f.ram;
    expected[host]!.disk += f.disk;
  };
  for (const s of servers.servers) {
    const host = s["OS-EXT-SRV-ATTR:host"];
    if (host) add(host, s.flavor);
  }
  for (const [host, f] of Object.entries(moves)) add(host, f);
  expect(await hypervisorUsage(client)).toEqual(expected);
}
