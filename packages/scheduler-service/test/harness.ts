import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, MemoryLogger } from "@nova/core/test";
import { type CellDatabase, type ComputeNodeRecord, openCellDatabase } from "@nova/db";
import { withImmediateRetries } from "@nova/db/test";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { type RequestSpec, RequestSpecCodec } from "@nova/objects";
import { adminContext, SchedulerAPI } from "@nova/rpcapi";
import { createTestDatabase } from "@nova/testing";
import {
  createSchedulerService,
  type SchedulerService,
  type SchedulerServiceConfigInput,
} from "../src/index.js";

/** The cell every test places into (the uuid of the captured Nova cell). */
export const CELL_UUID = "d30f6bb6-3686-4e6c-8e1e-3c008ad31bb6";

/** One of Nova's captured RPC messages (test/fixtures/nova-rpc). */
export function novaMessage(file: string): { oslo_message: Record<string, unknown> } {
  return JSON.parse(readFileSync(new URL(`./fixtures/nova-rpc/${file}`, import.meta.url), "utf8"));
}

/** The RequestSpec Nova's conductor sent for one boot (flavor peer.tiny: 1 vCPU, 64 MB, 1 GB). */
export function capturedSpec(): Partial<RequestSpec> {
  const args = novaMessage("002_call_scheduler_select_destinations.json").oslo_message.args as Record<
    string,
    unknown
  >;
  return RequestSpecCodec.fromPrimitive(args.spec_obj);
}

/** The captured spec with another flavor size, instance and optional changes. */
export function specFor(
  flavor: { vcpus: number; memory_mb: number; root_gb: number },
  instanceUuid: string,
  extra: Partial<RequestSpec> = {},
): Partial<RequestSpec> {
  const base = capturedSpec();
  return { ...base, flavor: { ...base.flavor!, ...flavor }, instance_uuid: instanceUuid, ...extra };
}

/** A fresh, migrated cell database: a SQLite file, or a MariaDB database from @nova/testing. */
export async function freshCell(backend: "sqlite" | "mariadb", clock: FakeClock) {
  let url: string;
  let drop: () => Promise<void>;
  if (backend === "mariadb") {
    const db = await createTestDatabase("schedsvc");
    url = db.url;
    drop = db.dispose;
  } else {
    const path = join(tmpdir(), `nova-schedsvc-${randomBytes(6).toString("hex")}.db`);
    url = `sqlite:///${path}`;
    drop = async () => {
      for (const s of ["", "-wal", "-shm"]) rmSync(`${path}${s}`, { force: true });
    };
  }
  const handles: CellDatabase[] = [];
  const open = () => {
    const h = openCellDatabase(url, { clock: withImmediateRetries(clock) });
    handles.push(h);
    return h;
  };
  const cell = open();
  await cell.sync();
  return {
    cell,
    /** Another handle with its own connection(s): what a second scheduler process has. */
    open,
    dispose: async () => {
      for (const h of handles) await h.close();
      await drop();
    },
  };
}

/** Registers a nova-compute service that has just reported, and its compute node. */
export async function addComputeHost(
  cell: CellDatabase,
  host: string,
  size: { vcpus: number; memory_mb: number; local_gb: number },
  extra: { uuid?: string; nodename?: string } = {},
): Promise<ComputeNodeRecord> {
  const svc = await cell.services.create({ host, binary: "nova-compute", topic: "compute" });
  await cell.services.heartbeat(svc.id);
  return cell.computeNodes.create({
    host,
    hypervisor_hostname: extra.nodename ?? host,
    ...size,
    hypervisor_type: "fake",
    hypervisor_version: 1000,
    service_id: svc.id,
    cpu_allocation_ratio: 1.0,
    ram_allocation_ratio: 1.0,
    disk_allocation_ratio: 1.0,
    stats: { num_instances: "0", io_workload: "0" },
    supported_hv_specs: [],
    ...(extra.uuid ? { uuid: extra.uuid } : {}),
  });
}

/** One in-process deployment: a fake:// broker, a manual clock, a cell database, a caller. */
export async function deployment(backend: "sqlite" | "mariadb" = "sqlite") {
  const clock = new FakeClock(Date.parse("2026-11-27T09:00:00Z"));
  const broker = new FakeBroker();
  const cellCtx = await freshCell(backend, clock);
  const transports: Transport[] = [];
  const services: SchedulerService[] = [];
  const transport = () => {
    const t = new Transport("fake://", { fakeBroker: broker, clock });
    transports.push(t);
    return t;
  };
  const callerTransport = transport();
  const api = new SchedulerAPI({ transport: callerTransport });
  return {
    clock,
    cell: cellCtx.cell,
    api,
    ctx: () => adminContext(),
    /** Builds (not starts) a scheduler on its own transport and, unless told, its own database handle. */
    scheduler(
      config: SchedulerServiceConfigInput = {},
      opts: { logger?: MemoryLogger; sharedDb?: boolean } = {},
    ): { service: SchedulerService; logger: MemoryLogger } {
      const logger = opts.logger ?? new MemoryLogger();
      const service = createSchedulerService({
        transport: transport(),
        cellDb: opts.sharedDb === false ? cellCtx.open() : cellCtx.cell,
        clock,
        logger,
        cellUuid: CELL_UUID,
        config: { ...config, DEFAULT: { host: `sched-${services.length}`, ...config.DEFAULT } },
        random: () => 0,
      });
      services.push(service);
      return { service, logger };
    },
    dispose: async () => {
      for (const s of services) await s.stop();
      for (const t of transports) await t.close();
      await cellCtx.dispose();
    },
  };
}

/** A new instance uuid. */
export function uuid(n: number): string {
  return `11111111-2222-4333-8444-${String(n).padStart(12, "0")}`;
}
