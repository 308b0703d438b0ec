import { createApiServer } from "@nova/api";
import type { Clock } from "@nova/core";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { type ApiDatabase, type CellDatabase, openApiDatabase, openCellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import { Transport } from "@nova/messaging";
import { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { DbComputeBackend } from "../src/db-compute-backend.js";

/** Fresh in-memory API and cell databases at head, the cell mapped, and flavor 1 (m1.tiny); `clock` stamps rows. */
export async function openTestDatabases(deps: { clock?: Clock } = {}): Promise<{
  apiDb: ApiDatabase;
  cellDb: CellDatabase;
  cellUuid: string;
}> {
  const apiDb = openApiDatabase("sqlite://", deps);
  const cellDb = openCellDatabase("sqlite://", deps);
  await apiDb.sync();
  await cellDb.sync();
  const cell = await apiDb.mappings.createCell({
    name: "cell1",
    transport_url: "fake://",
    database_connection: "sqlite://",
  });
  await apiDb.flavors.create({ name: "m1.tiny", flavorid: "1", memory_mb: 512, vcpus: 1, root_gb: 1 });
  return { apiDb, cellDb, cellUuid: cell.uuid };
}

/**
 * A DbComputeBackend over fresh SQLite databases (see `openTestDatabases`), its RPC going to a `fake://`
 * transport nobody answers, the clock fixed at 2026-12-01T10:00:00Z.
 */
export async function openTestBackend() {
  const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
  const { apiDb, cellDb, cellUuid } = await openTestDatabases({ clock });
  const transport = new Transport("fake://", { options: { control_exchange: "nova" } });
  const backend = new DbComputeBackend({
    clock,
    apiDb,
    cellDb,
    cellUuid,
    computeTask: new ComputeTaskAPI({ transport }),
    compute: new ComputeAPI({ transport }),
    images: new LocalImageCatalog([]),
    config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
  });
  return { clock, apiDb, cellDb, cellUuid, transport, backend };
}

/**
 * nova-api over an `openTestBackend` environment on an ephemeral port: `request` sends one JSON request at a
 * microversion (token `admin:admin` unless given); `close` stops the API and closes the transport and both
 * databases.
 */
export async function startTestApi(env: Awaited<ReturnType<typeof openTestBackend>>) {
  const api = createApiServer({ backend: env.backend, logger: new MemoryLogger() });
  const { port } = await api.listen(0);
  const request = async (
    method: string,
    path: string,
    options: { version: string; token?: string | undefined; body?: unknown },
  ) => {
    const response = await fetch(`http://127.0.0.1:${port}/v2.1${path}`, {
      method,
      headers: {
        "X-Auth-Token": options.token ?? "admin:admin",
        "OpenStack-API-Version": `compute ${options.version}`,
        "Content-Type": "application/json",
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
    return { status: response.status, body: text ? (JSON.parse(text) as any) : undefined };
  };
  const close = async () => {
    await api.close();
    await env.transport.close();
    await env.apiDb.close();
    await env.cellDb.close();
  };
  return { request, close };
}
