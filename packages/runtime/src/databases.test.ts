import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { CELL0_UUID } from "@nova/objects";
import { afterEach, describe, expect, it } from "vitest";
import { databaseOptions, openNovaDatabases } from "./databases.js";

describe("databaseOptions", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("reads every [database] and [api_database] option oslo.db declares into the pools and retry policy", async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-dbs-"));
    const config = loadNovaConfig({
      texts: [
        [
          "[api_database]",
          `connection = sqlite:///${join(dir, "api.sqlite")}`,
          "max_pool_size = 3",
          "max_overflow = 4",
          "connection_recycle_time = 600",
          "db_max_retries = 2",
          "[database]",
          `connection = sqlite:///${join(dir, "cell.sqlite")}`,
          "max_pool_size = 7",
          "max_overflow = 8",
          "connection_recycle_time = 900",
          "db_max_retries = 5",
          "db_retry_interval = 0.5",
          "db_inc_retry_interval = off",
          "db_max_retry_interval = 4",
          "",
        ].join("\n"),
      ],
    });
    const dbs = await openNovaDatabases(config, { sync: true });
    try {
      expect(dbs.apiDb.db.options).toMatchObject({
        max_pool_size: 3,
        max_overflow: 4,
        connection_recycle_time: 600,
      });
      expect(dbs.apiDb.db.retryPolicy.maxRetries).toBe(2);
      for (const cell of [dbs.cellDb, dbs.cell0Db]) {
        expect(cell.db.options).toMatchObject({
          max_pool_size: 7,
          max_overflow: 8,
          connection_recycle_time: 900,
        });
        expect(cell.db.retryPolicy).toMatchObject({
          maxRetries: 5,
          intervalSeconds: 0.5,
          incInterval: false,
          maxIntervalSeconds: 4,
        });
      }
    } finally {
      await dbs.close();
    }
  });

  it("gives the API database's quota limits the [quota] defaults (injected_file_path_length as _bytes)", async () => {
    const config = loadNovaConfig({
      texts: [
        [
          "[api_database]",
          "connection = sqlite://",
          "[database]",
          "connection = sqlite://",
          "[quota]",
          "cores = 4",
          "instances = -1",
          "injected_file_path_length = 64",
          "",
        ].join("\n"),
      ],
    });
    const dbs = await openNovaDatabases(config, { sync: true });
    try {
      expect(await dbs.apiDb.quotas.getDefaults()).toMatchObject({
        cores: 4,
        instances: -1,
        ram: 51200,
        injected_file_path_bytes: 64,
      });
    } finally {
      await dbs.close();
    }
    expect(() => loadNovaConfig({ texts: ["[quota]\ncores = -2\n"] })).toThrow(/cores/);
  });

  it("takes a [database] that is cell0's for a super conductor's: cell0 is its own cell", async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-dbs-"));
    const conf = (cell: string) =>
      loadNovaConfig({
        texts: [
          `[api_database]\nconnection = sqlite:///${join(dir!, "api.sqlite")}\n[database]\nconnection = sqlite:///${join(dir!, cell)}\n`,
        ],
      });
    const cell1 = await openNovaDatabases(conf("cell.sqlite"), { sync: true });
    await cell1.close();
    const superConductor = await openNovaDatabases(conf("cell_cell0.sqlite"));
    try {
      expect(superConductor.cellUuid).toBe(CELL0_UUID);
      expect(superConductor.cell0Db).toBe(superConductor.cellDb);
    } finally {
      await superConductor.close();
    }
    expect(cell1.cellUuid).not.toBe(CELL0_UUID);
  });

  it("names the group and option of a bad or missing value", () => {
    const bad = loadNovaConfig({ texts: ["[database]\nconnection = sqlite://\nmax_pool_size = many\n"] });
    expect(() => databaseOptions(bad, "database")).toThrow(ConfigError);
    expect(() => databaseOptions(bad, "database")).toThrow(
      /^Invalid value for option max_pool_size in group \[database\]: .* \(got "many"\)$/,
    );
    const inc = loadNovaConfig({
      texts: ["[api_database]\nconnection = sqlite://\ndb_inc_retry_interval = t\n"],
    });
    expect(() => databaseOptions(inc, "api_database")).toThrow(
      /option db_inc_retry_interval in group \[api_database\]/,
    );
    expect(() => databaseOptions(loadNovaConfig(), "api_database")).toThrow(
      "Missing value for option connection in group [api_database]: required",
    );
  });
});
