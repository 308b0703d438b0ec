import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openCellDatabase } from "@nova/db";
import { createTestDatabase, type TestDatabase } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNovaManage } from "../src/nova-manage.js";

async function manage(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runNovaManage(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("nova-manage db / api_db sync", () => {
  let dir: string;
  let conf: string;
  const maria: TestDatabase[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-manage-"));
    // API database on MariaDB, cells on SQLite files: a mix operators can run.
    maria.push(await createTestDatabase("manage_api"), await createTestDatabase("manage_cell0"));
    conf = join(dir, "nova.conf");
    writeFileSync(
      conf,
      [
        "[DEFAULT]",
        "# comment",
        "[api_database]",
        `connection = ${maria[0]!.url}`,
        "max_pool_size = 2",
        "[database]",
        `connection = sqlite:///${join(dir, "cell1.db")}`,
      ].join("\n"),
    );
  });
  afterAll(async () => {
    for (const m of maria) await m.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("syncs the API database, reports its version, and re-syncs as a no-op", async () => {
    expect(await manage("--config-file", conf, "api_db", "version")).toMatchObject({
      code: 0,
      out: ["empty (head 0004_quota_classes, 4 pending)"],
    });
    const first = await manage("--config-file", conf, "api_db", "sync");
    expect(first.code).toBe(0);
    expect(first.out).toEqual([
      "api database: empty -> 0004_quota_classes (applied 0001_initial, 0002_cell_mapping_disabled, 0003_aggregates, 0004_quota_classes)",
    ]);
    expect((await manage("--config-file", conf, "api_db", "sync")).out).toEqual([
      "api database: already at 0004_quota_classes (head), nothing to do",
    ]);
    expect((await manage("--config-file", conf, "api_db", "version")).out).toEqual([
      "0004_quota_classes (head 0004_quota_classes)",
    ]);
  });

  it("syncs cell0 (once mapped) and the local cell; --local_cell skips cell0", async () => {
    const mapped = await manage(
      "--config-file",
      conf,
      "cell_v2",
      "map_cell0",
      "--database_connection",
      maria[1]!.url,
    );
    expect(mapped.code).toBe(0);
    expect(mapped.out[0]).toMatch(/^cell0 00000000-0000-0000-0000-000000000000 -> mysql\+pymysql:/);
    const synced = await manage("--config-file", conf, "db", "sync");
    expect(synced.code).toBe(0);
    expect(synced.out).toHaveLength(2);
    expect(synced.out[0]).toMatch(/^cell0 .*: empty -> 0006_migrations/);
    expect(synced.out[1]).toBe(
      "cell database: empty -> 0006_migrations (applied 0001_initial, 0002_compute_node_generation, 0003_block_devices_and_info_cache, 0004_service_recorded_down, 0005_tags, 0006_migrations)",
    );
    const local = await manage("--config-file", conf, "db", "sync", "--local_cell");
    expect(local.out).toEqual(["cell database: already at 0006_migrations (head), nothing to do"]);
    expect((await manage("--config-file", conf, "cell_v2", "list_cells")).out[3]).toMatch(
      /^\| cell0 \| 00000000-/,
    );
  });

  it("refuses a schema newer than the code, with exit code 1", async () => {
    const cell = openCellDatabase(`sqlite:///${join(dir, "cell1.db")}`);
    await cell.db.kysely
      .insertInto("nova_migrations")
      .values({ name: "0099_newer", timestamp: "x" })
      .execute();
    await cell.close();
    const r = await manage("--config-file", conf, "db", "sync", "--local_cell");
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain("DB_SCHEMA_NEWER_THAN_CODE");
    expect(r.err[0]).toContain("0099_newer");
  });

  it("reports bad usage and missing configuration clearly", async () => {
    expect((await manage("--config-file", conf, "nonsense")).code).toBe(2);
    const noDb = join(dir, "empty.conf");
    writeFileSync(noDb, "[DEFAULT]\n");
    const r = await manage("--config-file", noDb, "db", "version");
    expect(r).toMatchObject({ code: 1 });
    expect(r.err[0]).toContain("[database] connection is not set");
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "[database]\nconnection = postgresql://x@y/z\n");
    expect((await manage("--config-file", bad, "db", "sync")).err[0]).toContain("DB_URL_UNSUPPORTED");
  });

  it("runs as the nova-manage binary under tsx", async () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const tsx = join(root, "node_modules", ".bin", "tsx");
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(tsx, [main, "--config-file", conf, "api_db", "version"], {
      cwd: root,
    });
    expect(stdout.trim()).toBe("0004_quota_classes (head 0004_quota_classes)");
  });
});

describe("nova-manage cell_v2 simple_cell_setup", () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("syncs the API database, maps cell0 and the cell, syncs both, and is a no-op the second time", async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-manage-simple-"));
    const conf = join(dir, "nova.conf");
    writeFileSync(
      conf,
      [
        "[DEFAULT]",
        "transport_url = rabbit://guest:guest@127.0.0.1:5672/",
        "[api_database]",
        `connection = sqlite:///${join(dir, "api.db")}`,
        "[database]",
        `connection = sqlite:///${join(dir, "cell1.db")}`,
      ].join("\n"),
    );
    const first = await manage("--config-file", conf, "cell_v2", "simple_cell_setup");
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(/^api database: empty -> /);
    expect(first.out[1]).toBe(
      `cell0 00000000-0000-0000-0000-000000000000 -> sqlite:///${join(dir, "cell1_cell0.db")}`,
    );
    expect(first.out[2]).toMatch(/^cell0 database: empty -> /);
    expect(first.out[4]).toMatch(/^cell database: empty -> /);
    const cells = (await manage("--config-file", conf, "cell_v2", "list_cells")).out;
    expect(cells).toHaveLength(6);
    expect(cells[4]).toMatch(
      /^\| cell1 \| [0-9a-f-]{36} \| rabbit:\/\/guest:\*\*\*\*@127\.0\.0\.1:5672\/ \|/,
    );
    const again = await manage("--config-file", conf, "cell_v2", "simple_cell_setup");
    expect(again.code).toBe(0);
    expect(again.out.filter((l) => l.includes("nothing to do"))).toHaveLength(3);
    expect((await manage("--config-file", conf, "cell_v2", "list_cells")).out).toEqual(cells);
  });

  it("refuses without a transport URL", async () => {
    const conf = join(dir, "no-transport.conf");
    writeFileSync(
      conf,
      `[api_database]\nconnection = sqlite:///${join(dir, "api.db")}\n[database]\nconnection = sqlite://\n`,
    );
    const r = await manage("--config-file", conf, "cell_v2", "simple_cell_setup");
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain("[DEFAULT] transport_url is not set");
  });
});
