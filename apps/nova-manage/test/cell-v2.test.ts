import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CellDatabase, openCellDatabase } from "@nova/db";
import { createTestDatabase, type TestDatabase } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskPassword } from "../src/cell-commands.js";
import { runNovaManage } from "../src/nova-manage.js";
import { prettyTable } from "../src/pretty-table.js";

// The API database on MariaDB, each cell on its own SQLite file: nova-manage reaches them by their mappings.
describe("nova-manage cell_v2", () => {
  let dir: string;
  let conf: string;
  let api: TestDatabase;
  const cellUrl = (n: string) => `sqlite:///${join(dir, `${n}.db`)}`;
  const opened: CellDatabase[] = [];
  const cellDb = async (n: string) => {
    const db = openCellDatabase(cellUrl(n));
    opened.push(db);
    await db.sync();
    return db;
  };
  let cell1: string;
  let cell2: string;
  let db1: CellDatabase;
  let db2: CellDatabase;

  async function manage(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runNovaManage(["--config-file", conf, "cell_v2", ...argv], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err };
  }

  const node = (db: CellDatabase, host: string, nodename = host) =>
    db.computeNodes.create({
      host,
      hypervisor_hostname: nodename,
      vcpus: 4,
      memory_mb: 4096,
      local_gb: 40,
      hypervisor_type: "fake",
      hypervisor_version: 1,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-manage-cells-"));
    api = await createTestDatabase("manage_cells_api");
    conf = join(dir, "nova.conf");
    writeFileSync(
      conf,
      [
        "[DEFAULT]",
        "transport_url = rabbit://guest:secret@127.0.0.1:5672/cell1",
        "[api_database]",
        `connection = ${api.url}`,
        "[database]",
        `connection = ${cellUrl("cell1")}`,
      ].join("\n"),
    );
    expect(
      (await runNovaManage(["--config-file", conf, "api_db", "sync"], { out() {}, err() {} })) +
        (await manage("map_cell0", "--database_connection", cellUrl("cell0"))).code,
    ).toBe(0);
    db1 = await cellDb("cell1");
    db2 = await cellDb("cell2");
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await api.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("create_cell: URLs from the options or the config file, --verbose prints the uuid, clashes refused", async () => {
    const first = await manage("create_cell", "--name", "cell1", "--verbose");
    expect(first.code).toBe(0);
    expect(first.out.slice(0, 2)).toEqual([
      "--transport-url not provided in the command line, using the value [DEFAULT]/transport_url from the configuration file",
      "--database_connection not provided in the command line, using the value [database]/connection from the configuration file",
    ]);
    cell1 = first.out[2]!;
    expect(cell1).toMatch(/^[0-9a-f-]{36}$/);
    const second = await manage(
      "create_cell",
      "--name",
      "cell2",
      "--transport-url",
      "rabbit://guest:guest@127.0.0.1:5672/cell2",
      "--database_connection",
      cellUrl("cell2"),
      "--verbose",
      "--disabled",
    );
    expect(second.code).toBe(0);
    cell2 = second.out[0]!;
    const clash = await manage("create_cell", "--name", "again", "--transport-url", "rabbit://h/other");
    expect(clash.code).toBe(2);
    expect(clash.out.at(-1)).toBe(
      `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${cell1}.`,
    );
    const bad = await manage("create_cell", "--transport-url", "no scheme here");
    expect(bad.code).toBe(1);
    expect(bad.out[0]).toMatch(/^Invalid transport URL: /);
  });

  it("list_cells: Nova's table, by name, passwords masked unless --verbose", async () => {
    const masked = await manage("list_cells");
    expect(masked.code).toBe(0);
    expect(masked.out).toHaveLength(7);
    expect(masked.out[1]).toMatch(
      /^\|\s+Name\s+\|\s+UUID\s+\|\s+Transport URL\s+\|\s+Database Connection\s+\|\s+Disabled\s+\|$/,
    );
    expect(masked.out.slice(3, 6).map((l) => l.split("|")[1]!.trim())).toEqual(["cell0", "cell1", "cell2"]);
    expect(masked.out[4]).toContain("rabbit://guest:****@127.0.0.1:5672/cell1");
    expect(masked.out[4]).toMatch(/\| {2}False {3}\|$/);
    expect(masked.out[5]).toMatch(/\| {3}True {3}\|$/);
    expect((await manage("list_cells", "--verbose")).out[4]).toContain("guest:secret@");
  });

  it("discover_hosts maps the unmapped compute nodes of every cell once; list_hosts shows them", async () => {
    await node(db1, "cpu-1");
    await node(db1, "cpu-2");
    await node(db2, "cpu-3");
    const found = await manage("discover_hosts", "--verbose");
    expect(found.code).toBe(0);
    expect(found.out).toContain("Skipping cell0 since it does not contain hosts.");
    expect(found.out).toContain(`Found 2 unmapped computes in cell: ${cell1}`);
    expect(found.out).toContain(`Found 1 unmapped computes in cell: ${cell2}`);
    expect(found.out.some((l) => l.startsWith("Creating host mapping for compute host 'cpu-3'"))).toBe(true);
    expect((await db1.computeNodes.listUnmapped()).length).toBe(0);
    // Nothing new: quiet success, or 1 with --strict.
    expect(await manage("discover_hosts")).toMatchObject({ code: 0, out: [] });
    expect((await manage("discover_hosts", "--strict")).code).toBe(1);
    // By service: a compute service whose node has not reported yet.
    await db2.services.create({ host: "cpu-4", binary: "nova-compute", topic: "compute" });
    expect((await manage("discover_hosts", "--by-service", "--cell_uuid", cell2, "--strict")).code).toBe(0);

    const hosts = await manage("list_hosts");
    expect(hosts.out.slice(3, -1).map((l) => l.split("|").map((c) => c.trim()))).toEqual([
      ["", "cell1", cell1, "cpu-1", ""],
      ["", "cell1", cell1, "cpu-2", ""],
      ["", "cell2", cell2, "cpu-3", ""],
      ["", "cell2", cell2, "cpu-4", ""],
    ]);
    expect((await manage("list_hosts", "--cell_uuid", cell2)).out).toHaveLength(6);
    expect(await manage("list_hosts", "--cell_uuid", randomUUID())).toMatchObject({ code: 1 });
  });

  it("map_instances maps a cell's instances in batches, resuming from its marker; verify_instance says where", async () => {
    const uuids = [randomUUID(), randomUUID(), randomUUID()];
    for (const uuid of uuids) await db1.instances.create({ uuid, project_id: "p", user_id: "u" });
    await db1.instances.destroy(uuids[2]!);
    expect(await manage("verify_instance", "--uuid", uuids[0]!)).toMatchObject({
      code: 1,
      out: [
        `Instance ${uuids[0]} is not mapped to a cell (upgrade is incomplete) or instance does not exist`,
      ],
    });
    expect((await manage("map_instances", "--cell_uuid", cell1, "--max-count", "0")).code).toBe(127);
    expect((await manage("map_instances", "--cell_uuid", cell1, "--max-count", "2")).code).toBe(1);
    expect((await manage("verify_instance", "--uuid", uuids[2]!)).code).toBe(1);
    expect((await manage("map_instances", "--cell_uuid", cell1, "--max-count", "2")).code).toBe(0);
    expect(await manage("map_instances", "--cell_uuid", cell1)).toMatchObject({ code: 0 });
    expect(await manage("verify_instance", "--uuid", uuids[0]!)).toMatchObject({
      code: 0,
      out: [`Instance ${uuids[0]} is in cell: cell1 (${cell1})`],
    });
    expect(await manage("verify_instance", "--uuid", uuids[2]!, "--quiet")).toMatchObject({
      code: 3,
      out: [],
    });
  });

  it("update_cell: renames, disables and enables, refusing cell0, both flags and a clashing URL", async () => {
    expect(await manage("update_cell", "--cell_uuid", randomUUID())).toMatchObject({ code: 1 });
    expect((await manage("update_cell", "--cell_uuid", cell2, "--disable", "--enable")).code).toBe(4);
    expect(
      (await manage("update_cell", "--cell_uuid", "00000000-0000-0000-0000-000000000000", "--disable")).code,
    ).toBe(5);
    expect(
      (await manage("update_cell", "--cell_uuid", cell2, "--database_connection", cellUrl("cell1"))).code,
    ).toBe(3);
    expect((await manage("update_cell", "--cell_uuid", cell2, "--name", "east", "--enable")).code).toBe(0);
    const again = await manage("update_cell", "--cell_uuid", cell2, "--enable");
    expect(again.out).toContain(`Cell ${cell2} is already enabled`);
    const row = (await manage("list_cells")).out.find((l) => l.includes(cell2))!;
    expect(row.split("|").map((c) => c.trim())).toEqual([
      "",
      "east",
      cell2,
      "rabbit://guest:****@127.0.0.1:5672/cell2",
      cellUrl("cell2"),
      "False",
      "",
    ]);
  });

  it("delete_cell refuses while hosts or live instances remain; --force takes the hosts and unmaps the nodes", async () => {
    expect(await manage("delete_cell", "--cell_uuid", randomUUID())).toMatchObject({ code: 1 });
    expect(await manage("delete_cell", "--cell_uuid", cell2)).toMatchObject({
      code: 2,
      out: [`There are existing hosts mapped to cell with uuid ${cell2}.`],
    });
    expect((await manage("delete_cell", "--cell_uuid", cell1, "--force")).code).toBe(3);
    expect(await manage("delete_cell", "--cell_uuid", cell2, "--force")).toMatchObject({ code: 0, out: [] });
    expect((await manage("list_cells")).out.some((l) => l.includes(cell2))).toBe(false);
    expect((await db2.computeNodes.listUnmapped()).map((n) => n.host)).toEqual(["cpu-3"]);
    expect((await manage("list_hosts")).out.some((l) => l.includes("cpu-3"))).toBe(false);
  });

  it("formats as prettytable and masks as Nova", () => {
    expect(prettyTable(["a", "bb"], [["xyz", true]])).toEqual([
      "+-----+------+",
      "|  a  |  bb  |",
      "+-----+------+",
      "| xyz | True |",
      "+-----+------+",
    ]);
    expect(maskPassword("rabbit://u:p@h1:5672,u:q@h2:5672/v?x=1")).toBe("rabbit://u:****@h2:5672/v?x=1");
    expect(maskPassword("sqlite:///x.db")).toBe("sqlite:///x.db");
  });
});
