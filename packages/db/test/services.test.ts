import { ServiceCodec } from "@nova/objects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellDatabase, DuplicateEntryError, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

describe(`services and heartbeats (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("services", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => ctx.dispose());

  it("registers a service once per host and binary", async () => {
    const svc = await cell.services.create({ host: "peer-cpu-1", binary: "nova-compute", topic: "compute" });
    expect(svc).toMatchObject({
      report_count: 0,
      disabled: false,
      forced_down: false,
      version: 64,
      deleted: false,
      last_seen_up: null,
    });
    const dup = await cell.services
      .create({ host: "peer-cpu-1", binary: "nova-compute", topic: "compute" })
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DuplicateEntryError);
    expect(await cell.services.getByComputeHost("peer-cpu-1")).toEqual(svc);
    expect(ServiceCodec.toPrimitive(svc)["nova_object.data"]).toMatchObject({
      host: "peer-cpu-1",
      report_count: 0,
    });
  });

  it("counts every one of 20 concurrent heartbeats and stamps updated_at and last_seen_up", async () => {
    const svc = await cell.services.create({ host: "hb", binary: "nova-compute", topic: "compute" });
    await clock.advance(10_000);
    await Promise.all(Array.from({ length: 20 }, () => cell.services.heartbeat(svc.id)));
    const after = await cell.services.get(svc.id);
    expect(after.report_count).toBe(20);
    expect(after.updated_at).toEqual(new Date(clock.now()));
    expect(after.last_seen_up).toEqual(new Date(clock.now()));
  });

  it("Service.save semantics: report_count up stamps last_seen_up; disabling does not", async () => {
    const svc = await cell.services.create({ host: "save", binary: "nova-compute", topic: "compute" });
    await clock.advance(10_000);
    const hb = await cell.services.update(svc.id, { report_count: 37 });
    expect(hb.last_seen_up).toEqual(new Date(clock.now()));
    await clock.advance(10_000);
    const off = await cell.services.update(svc.id, { disabled: true, disabled_reason: "maintenance" });
    expect(off).toMatchObject({ disabled: true, disabled_reason: "maintenance", report_count: 37 });
    expect(off.last_seen_up).toEqual(hb.last_seen_up);
    expect(off.updated_at).toEqual(new Date(clock.now()));
    expect((await cell.services.list({ disabled: true })).map((s) => s.host)).toEqual(["save"]);
  });

  it("reports the minimum version of a binary's live services", async () => {
    expect(await cell.services.minimumVersion("nova-scheduler")).toBe(0);
    await cell.services.create({ host: "s1", binary: "nova-scheduler", topic: "scheduler", version: 61 });
    await cell.services.create({ host: "s2", binary: "nova-scheduler", topic: "scheduler", version: 64 });
    expect(await cell.services.minimumVersion("nova-scheduler")).toBe(61);
  });

  it("soft-deletes so the same host and binary can register again", async () => {
    const svc = await cell.services.create({ host: "gone", binary: "nova-compute", topic: "compute" });
    await cell.services.destroy(svc.id);
    await expect(cell.services.get(svc.id)).rejects.toBeInstanceOf(NotFoundError);
    const again = await cell.services.create({ host: "gone", binary: "nova-compute", topic: "compute" });
    expect(again.id).not.toBe(svc.id);
    await cell.services.destroy(again.id);
    const third = await cell.services.create({ host: "gone", binary: "nova-compute", topic: "compute" });
    expect(third.id).not.toBe(again.id);
    await expect(cell.services.heartbeat(svc.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
