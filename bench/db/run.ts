// @nova/db throughput on SQLite (file, WAL) and MariaDB (this machine's): instance create, get by uuid,
// and a filtered list of 1000 instances. Baseline: a trivial `SELECT 1` round trip through the same pool,
// so each figure also reads as "costs N round trips".
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCellDatabase } from "@nova/db";
import { createTestDatabase } from "@nova/testing";
import { sql } from "kysely";

const CREATES = Number(process.env.BENCH_CREATES ?? 1200); // 1000 match the list filter, 200 do not
const GETS = Number(process.env.BENCH_GETS ?? 1000);
const LISTS = Number(process.env.BENCH_LISTS ?? 20);
const BASELINE = 2000;

const flavor = {
  id: 1,
  name: "bench.small",
  memory_mb: 512,
  vcpus: 1,
  root_gb: 1,
  ephemeral_gb: 0,
  flavorid: "b1",
  swap: 0,
  rxtx_factor: 1,
  vcpu_weight: 0,
  disabled: false,
  is_public: true,
  extra_specs: {},
  description: null,
  created_at: new Date(),
  updated_at: null,
  deleted_at: null,
  deleted: false,
};

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t0) / 1000);
}

async function bench(label: string, url: string) {
  const cell = openCellDatabase(url);
  try {
    await cell.sync();
    const baseline = await timed(BASELINE, () => sql`SELECT 1`.execute(cell.db.kysely));
    const uuids: string[] = [];
    const create = await timed(CREATES, (i) => {
      const uuid = randomUUID();
      uuids.push(uuid);
      const match = i % 6 !== 5;
      return cell.instances.create({
        uuid,
        project_id: match ? "bench" : "other",
        user_id: "u1",
        host: "bench-host",
        node: "bench-host",
        vm_state: match ? "active" : "error",
        power_state: 1,
        display_name: `vm-${i}`,
        vcpus: 1,
        memory_mb: 512,
        root_gb: 1,
        flavor,
        metadata: { role: "bench" },
        system_metadata: { image_min_ram: "0" },
      });
    });
    const get = await timed(GETS, (i) => cell.instances.get(uuids[(i * 7919) % uuids.length]!));
    let listed = 0;
    const list = await timed(LISTS, async () => {
      const rows = await cell.instances.list(
        { project_id: "bench", vm_state: ["active"], host: "bench-host" },
        { sortKeys: ["created_at", "display_name"], sortDirs: ["desc", "asc"], limit: 1000 },
      );
      listed = rows.length;
    });
    const fmt = (rate: number) => rate.toFixed(1).padStart(9);
    const ratio = (rate: number) => `${(baseline / rate).toFixed(1)} round trips`;
    console.log(`${label}`);
    console.log(`  baseline SELECT 1      ${fmt(baseline)} /s`);
    console.log(`  instance create        ${fmt(create)} /s   (${ratio(create)})`);
    console.log(`  instance get by uuid   ${fmt(get)} /s   (${ratio(get)})`);
    console.log(
      `  list ${listed} filtered    ${fmt(list)} /s   (${ratio(list)}; ${fmt(list * listed)} rows/s)`,
    );
    return { baseline, create, get, list };
  } finally {
    await cell.close();
  }
}

const file = join(tmpdir(), `nova-bench-${randomUUID()}.db`);
const sqlite = await bench("SQLite (file, WAL, better-sqlite3)", `sqlite:///${file}`);
for (const s of ["", "-wal", "-shm"]) rmSync(`${file}${s}`, { force: true });
const maria = await createTestDatabase("bench_db");
let mariadb: Awaited<ReturnType<typeof bench>>;
try {
  mariadb = await bench("MariaDB (127.0.0.1, mysql2 pool)", maria.url);
} finally {
  await maria.dispose();
}
console.log("MariaDB / SQLite");
for (const k of ["create", "get", "list"] as const)
  console.log(`  ${k.padEnd(8)} ${(mariadb[k] / sqlite[k]).toFixed(2)}x`);
