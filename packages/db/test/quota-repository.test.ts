import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiDatabase, QuotaRepository } from "../src/index.js";
import { backend, fakeClock, migratedApi } from "./test-backend.js";

// Quota limits as Nova's DbQuotaDriver stores them (quotas, project_user_quotas, quota_classes), on SQLite
// and on MariaDB (the db-mariadb project runs this file again).

describe(`quota repository (${backend})`, () => {
  let ctx: Awaited<ReturnType<typeof migratedApi>>;
  let api: ApiDatabase;
  beforeAll(async () => {
    ctx = await migratedApi("quotas", { clock: fakeClock() });
    api = ctx.api;
  });
  afterAll(async () => ctx.dispose());

  it("layers [quota] defaults, the default class, the project and the user", async () => {
    const quotas = new QuotaRepository(api.db, { cores: 7, injected_file_path_bytes: 100 });
    expect(await quotas.getDefaults()).toMatchObject({
      cores: 7,
      instances: 10,
      injected_file_path_bytes: 100,
    });
    expect((await quotas.getDefaults()).fixed_ips).toBe(-1);
    await quotas.setClassLimits("default", { cores: 9, server_groups: 2 });
    await quotas.setClassLimits("default", { cores: 11 });
    await quotas.setClassLimits("gold", { cores: 50 });
    expect(await quotas.getClassRows("default")).toEqual({ cores: 11, server_groups: 2 });
    expect(await quotas.getDefaults()).toMatchObject({ cores: 11, server_groups: 2 });
    expect((await quotas.getClassLimits("gold")).cores).toBe(50);
    expect((await quotas.getLimits("q1")).cores).toBe(11);
    await quotas.setLimits("q1", { cores: 6, instances: 4 });
    await quotas.setLimits("q1", { cores: 5 });
    await quotas.setLimits("q1", { cores: 3, ram: 1024 }, "u1");
    await quotas.setLimits("q1", { cores: 2 }, "u2");
    await quotas.setLimits("q2", { cores: 1 });
    expect(await quotas.getLimits("q1")).toMatchObject({ cores: 5, instances: 4, ram: 51200 });
    expect(await quotas.getLimits("q1", "u1")).toMatchObject({ cores: 3, instances: 4, ram: 1024 });
    const rows = await quotas.getRows("q1", "u1");
    expect(rows.project).toEqual({ cores: 5, instances: 4 });
    expect(rows.user).toEqual({ cores: 3, ram: 1024 });
    expect(rows.usersInProject.cores?.sort()).toEqual([2, 3]);
    await quotas.deleteUser("q1", "u1");
    expect((await quotas.getLimits("q1", "u1")).cores).toBe(5);
    expect((await quotas.getLimits("q1", "u2")).cores).toBe(2);
    await quotas.deleteProject("q1");
    expect((await quotas.getLimits("q1", "u2")).cores).toBe(11);
    expect((await quotas.getLimits("q2")).cores).toBe(1);
  });

  it("the API database's own repository uses Nova's defaults unless configured", async () => {
    expect((await api.quotas.getLimits("fresh")).instances).toBe(10);
    expect((await api.quotas.getLimits("fresh")).cores).toBe(11); // the default class set above
  });
});
