import { hasErrorCode } from "@nova/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openApiDatabase,
  openCellDatabase,
  SchemaNewerThanCodeError,
  toSqlDateForTest,
} from "./migration-support.js";
import { backend, type FreshDatabase, freshDatabase } from "./test-backend.js";

describe(`schema migrations (${backend})`, () => {
  let cellDb: FreshDatabase;
  let apiDb: FreshDatabase;
  beforeAll(async () => {
    cellDb = await freshDatabase("mig_cell");
    apiDb = await freshDatabase("mig_api");
  });
  afterAll(async () => {
    await cellDb.dispose();
    await apiDb.dispose();
  });

  it("syncs an empty cell database to head, then re-syncs as a no-op", async () => {
    const cell = openCellDatabase(cellDb.url);
    try {
      const before = await cell.status();
      expect(before.current).toBeNull();
      expect(before.pending).toEqual([
        "0001_initial",
        "0002_compute_node_generation",
        "0003_block_devices_and_info_cache",
        "0004_service_recorded_down",
        "0005_tags",
        "0006_migrations",
      ]);
      const first = await cell.sync();
      expect(first).toEqual({ from: null, to: "0006_migrations", applied: before.pending });
      const again = await cell.sync();
      expect(again).toEqual({
        from: "0006_migrations",
        to: "0006_migrations",
        applied: [],
      });
      const tables = (await cell.db.kysely.introspection.getTables()).map((t) => t.name);
      for (const t of [
        "instances",
        "instance_extra",
        "instance_faults",
        "instance_actions",
        "services",
        "compute_nodes",
      ]) {
        expect(tables).toContain(t);
      }
    } finally {
      await cell.close();
    }
  });

  it("refuses a database migrated by newer code", async () => {
    const cell = openCellDatabase(cellDb.url);
    try {
      await cell.db.kysely
        .insertInto("nova_migrations")
        .values({ name: "9999_from_the_future", timestamp: new Date().toISOString() })
        .execute();
      await expect(cell.status()).rejects.toBeInstanceOf(SchemaNewerThanCodeError);
      const err = await cell.sync().catch((e: unknown) => e);
      expect(hasErrorCode(err, "DB_SCHEMA_NEWER_THAN_CODE")).toBe(true);
      expect((err as SchemaNewerThanCodeError).unknownMigrations).toEqual(["9999_from_the_future"]);
    } finally {
      await cell.close();
    }
  });

  it("keeps the data of every migration step (cell: 0001 rows survive 0002 and 0003)", async () => {
    const fresh = await freshDatabase("mig_data");
    const cell = openCellDatabase(fresh.url);
    try {
      expect((await cell.sync("0001_initial")).to).toBe("0001_initial");
      const now = toSqlDateForTest(new Date("2026-11-27T07:00:00Z"));
      await cell.db.kysely
        .insertInto("compute_nodes")
        .values({
          uuid: "4169b061-8681-413d-b721-3a382e7b692a",
          host: "peer-cpu-1",
          hypervisor_hostname: "peer-cpu-1",
          vcpus: 8,
          memory_mb: 16384,
          local_gb: 100,
          vcpus_used: 2,
          hypervisor_type: "fake",
          hypervisor_version: 1000,
          cpu_allocation_ratio: 16,
          ram_allocation_ratio: 1.5,
          disk_allocation_ratio: 1,
          created_at: now,
        })
        .execute();
      await cell.instances.create({
        uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb",
        display_name: "kept",
        metadata: { a: "1" },
      });
      expect((await cell.sync("0002_compute_node_generation")).applied).toEqual([
        "0002_compute_node_generation",
      ]);
      const node0 = await cell.computeNodes.getByUuid("4169b061-8681-413d-b721-3a382e7b692a");
      expect(node0.generation).toBe(0);
      // Data written at step 2 (a claim bumps the new generation column) must survive step 3.
      await cell.computeNodes.claim(node0.uuid, { vcpus: 1, memory_mb: 64, local_gb: 1 });
      const result = await cell.sync();
      expect(result.applied).toEqual([
        "0003_block_devices_and_info_cache",
        "0004_service_recorded_down",
        "0005_tags",
        "0006_migrations",
      ]);
      const node = await cell.computeNodes.getByUuid("4169b061-8681-413d-b721-3a382e7b692a");
      expect(node.vcpus_used).toBe(3);
      expect(node.generation).toBe(1);
      expect(node.created_at).toEqual(new Date("2026-11-27T07:00:00Z"));
      const inst = await cell.instances.get("b8677b88-dfba-4423-a84a-b94d534f1cbb");
      expect(inst.display_name).toBe("kept");
      expect(inst.metadata).toEqual({ a: "1" });
    } finally {
      await cell.close();
      await fresh.dispose();
    }
  });

  it("migrates the API database step by step without losing rows", async () => {
    const api = openApiDatabase(apiDb.url);
    try {
      await api.sync("0001_initial");
      await api.db.kysely
        .insertInto("cell_mappings")
        .values({
          uuid: "00000000-0000-0000-0000-000000000000",
          name: "cell0",
          transport_url: "none:///",
          database_connection: "sqlite://",
        })
        .execute();
      await api.flavors.create({
        name: "m1.tiny",
        flavorid: "1",
        memory_mb: 512,
        vcpus: 1,
        root_gb: 1,
        extra_specs: { "hw:cpu_policy": "shared" },
      });
      const r = await api.sync();
      expect(r).toEqual({
        from: "0001_initial",
        to: "0004_quota_classes",
        applied: ["0002_cell_mapping_disabled", "0003_aggregates", "0004_quota_classes"],
      });
      const cell0 = await api.mappings.getCell("00000000-0000-0000-0000-000000000000");
      expect(cell0).toMatchObject({ name: "cell0", disabled: false, database_connection: "sqlite://" });
      expect((await api.flavors.getByFlavorId("1")).extra_specs).toEqual({ "hw:cpu_policy": "shared" });
      expect((await api.sync()).applied).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
