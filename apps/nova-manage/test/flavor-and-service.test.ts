import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@nova/core/test";
import { openApiDatabase, openCellDatabase } from "@nova/db";
import { createTestDatabase, type TestDatabase } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNovaManage } from "../src/nova-manage.js";

async function manage(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runNovaManage(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("nova-manage flavor create", () => {
  let dir: string;
  let conf: string;
  let apiDb: TestDatabase;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-manage-flavor-"));
    apiDb = await createTestDatabase("manage_flavor");
    conf = join(dir, "nova.conf");
    writeFileSync(conf, `[api_database]\nconnection = ${apiDb.url}\n`);
    expect((await manage("--config-file", conf, "api_db", "sync")).code).toBe(0);
  });
  afterAll(async () => {
    await apiDb.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const flavors = async () => {
    const api = openApiDatabase(apiDb.url);
    try {
      return await api.flavors.list({}, { limit: 100 });
    } finally {
      await api.close();
    }
  };

  it("creates a flavor with every option and prints it", async () => {
    const r = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "m1.small",
      "--id",
      "2",
      "--ram",
      "2048",
      "--vcpus",
      "1",
      "--disk",
      "20",
      "--ephemeral",
      "5",
      "--swap",
      "512",
      "--is-public",
      "false",
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      "flavor m1.small (id 2): 1 vcpus, 2048 MB RAM, 20 GB disk, 5 GB ephemeral, 512 MB swap, private",
    ]);
    const [f] = (await flavors()).filter((x) => x.name === "m1.small");
    expect(f).toMatchObject({
      flavorid: "2",
      memory_mb: 2048,
      vcpus: 1,
      root_gb: 20,
      ephemeral_gb: 5,
      swap: 512,
      is_public: false,
    });
  });

  it("gives a flavor created without --id a uuid, public by default, no ephemeral or swap", async () => {
    const r = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "m1.tiny",
      "--ram",
      "512",
      "--vcpus",
      "1",
      "--disk",
      "1",
    );
    expect(r.code).toBe(0);
    const [f] = (await flavors()).filter((x) => x.name === "m1.tiny");
    expect(f?.flavorid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(f).toMatchObject({ is_public: true, ephemeral_gb: 0, swap: 0 });
    expect(r.out[0]).toBe(
      `flavor m1.tiny (id ${f?.flavorid}): 1 vcpus, 512 MB RAM, 1 GB disk, 0 GB ephemeral, 0 MB swap, public`,
    );
  });

  it("refuses a taken name or id with exit code 1", async () => {
    const again = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "m1.small",
      "--ram",
      "1",
      "--vcpus",
      "1",
      "--disk",
      "1",
    );
    expect(again.code).toBe(1);
    expect(again.err[0]).toMatch(/^ERROR \(DB_DUPLICATE\): /);
    const sameId = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "other",
      "--id",
      "2",
      "--ram",
      "1",
      "--vcpus",
      "1",
      "--disk",
      "1",
    );
    expect(sameId.code).toBe(1);
    expect((await flavors()).filter((x) => x.name === "other")).toEqual([]);
  });

  it("names the option that is missing or invalid, with exit code 2, and creates nothing", async () => {
    const before = (await flavors()).length;
    const missing = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "x",
      "--vcpus",
      "1",
      "--disk",
      "1",
    );
    expect(missing.code).toBe(2);
    expect(missing.err.join("\n")).toContain("--ram");
    const cases: Array<[string[], string]> = [
      [["--ram", "lots", "--vcpus", "1", "--disk", "1"], "ERROR: --ram: must be a whole number"],
      [
        ["--ram", "512", "--vcpus", "0", "--disk", "1"],
        "ERROR: --vcpus: Too small: expected number to be >=1",
      ],
      [["--ram", "512", "--vcpus", "1", "--disk", "-1"], "ERROR: --disk: must be a whole number"],
      [
        ["--ram", "512", "--vcpus", "1", "--disk", "1", "--swap", "1.5"],
        "ERROR: --swap: must be a whole number",
      ],
      [
        ["--ram", "512", "--vcpus", "1", "--disk", "1", "--id", "a/b"],
        "ERROR: --id: may only contain letters, digits, '.', '-', '_' and spaces",
      ],
    ];
    for (const [args, message] of cases) {
      const r = await manage("--config-file", conf, "flavor", "create", "x", ...args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: [message] });
    }
    const badPublic = await manage(
      "--config-file",
      conf,
      "flavor",
      "create",
      "x",
      "--ram",
      "1",
      "--vcpus",
      "1",
      "--disk",
      "1",
      "--is-public",
      "maybe",
    );
    expect(badPublic.code).toBe(2);
    expect((await flavors()).length).toBe(before);
  });
});

describe("nova-manage service list", () => {
  let dir: string;
  let conf: string;
  const HOUR_AGO = Date.now() - 3_600_000;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-manage-service-"));
    conf = join(dir, "nova.conf");
    writeFileSync(
      conf,
      [
        "[DEFAULT]",
        "transport_url = rabbit://guest:guest@127.0.0.1:5672/",
        "service_down_time = 60",
        "[api_database]",
        `connection = sqlite:///${join(dir, "api.db")}`,
        "[database]",
        `connection = sqlite:///${join(dir, "cell1.db")}`,
      ].join("\n"),
    );
    expect((await manage("--config-file", conf, "cell_v2", "simple_cell_setup")).code).toBe(0);
    // Rows stamped now (up) and an hour ago (down: past service_down_time), one forced down.
    const fresh = openCellDatabase(`sqlite:///${join(dir, "cell1.db")}`);
    const stale = openCellDatabase(`sqlite:///${join(dir, "cell1.db")}`, { clock: new FakeClock(HOUR_AGO) });
    try {
      const compute1 = await fresh.services.create({
        host: "cpu-1",
        binary: "nova-compute",
        topic: "compute",
      });
      await fresh.services.heartbeat(compute1.id);
      await stale.services.create({ host: "cpu-2", binary: "nova-compute", topic: "compute" });
      await fresh.services.create({ host: "ctl-1", binary: "nova-scheduler", topic: "scheduler" });
      const forced = await fresh.services.create({
        host: "ctl-1",
        binary: "nova-conductor",
        topic: "conductor",
      });
      await fresh.services.update(forced.id, { forced_down: true, disabled: true });
    } finally {
      await fresh.close();
      await stale.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const columns = (line: string) => line.split(/\s{2,}/);

  it("lists every service of the cell, up or down by its last heartbeat", async () => {
    const r = await manage("--config-file", conf, "service", "list");
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(columns(r.out[0]!)).toEqual([
      "Binary",
      "Host",
      "Zone",
      "Status",
      "State",
      "Updated_At",
      "Forced down",
      "Cell",
    ]);
    const rows = r.out.slice(1).map(columns);
    expect(rows.map((c) => [c[0], c[1], c[2], c[3], c[4], c[6], c[7]])).toEqual([
      ["nova-compute", "cpu-1", "nova", "enabled", "up", "False", "cell1"],
      ["nova-compute", "cpu-2", "nova", "enabled", "down", "False", "cell1"],
      ["nova-scheduler", "ctl-1", "internal", "enabled", "up", "False", "cell1"],
      ["nova-conductor", "ctl-1", "internal", "disabled", "down", "True", "cell1"],
    ]);
    expect(rows[1]![5]).toBe(new Date(Math.floor(HOUR_AGO / 1000) * 1000).toISOString());
  });

  it("filters by --host and --binary", async () => {
    const byHost = await manage("--config-file", conf, "service", "list", "--host", "ctl-1");
    expect(byHost.out.slice(1).map((l) => columns(l)[0])).toEqual(["nova-scheduler", "nova-conductor"]);
    const byBinary = await manage("--config-file", conf, "service", "list", "--binary", "nova-compute");
    expect(byBinary.out.slice(1).map((l) => columns(l)[1])).toEqual(["cpu-1", "cpu-2"]);
  });

  it("names a service_down_time that is not a number", async () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(
      bad,
      `[DEFAULT]\nservice_down_time = soon\n[api_database]\nconnection = sqlite:///${join(dir, "api.db")}\n`,
    );
    const r = await manage("--config-file", bad, "service", "list");
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['ERROR: [DEFAULT] service_down_time: not an integer: "soon"']);
  });
});
