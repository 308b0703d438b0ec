import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { BlockDeviceMappingCodec, BlockDeviceMappingListCodec, BuildRequestCodec } from "@nova/objects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CellDatabase, NotFoundError } from "../src/index.js";
import { backend, fakeClock, migratedCell } from "./test-backend.js";

const boot = JSON.parse(
  readFileSync(
    new URL("./fixtures/001_cast_conductor_schedule_and_build_instances.json", import.meta.url),
    "utf8",
  ),
).oslo_message.args as { build_requests: unknown[] };

describe(`block device mappings and info caches (${backend})`, () => {
  const clock = fakeClock();
  let ctx: Awaited<ReturnType<typeof migratedCell>>;
  let cell: CellDatabase;
  beforeAll(async () => {
    ctx = await migratedCell("bdms", { clock });
    cell = ctx.cell;
  });
  afterAll(async () => ctx.dispose());

  it("stores the build request's mappings and gives them back as BlockDeviceMapping objects", async () => {
    const br = BuildRequestCodec.fromPrimitive(boot.build_requests[0]);
    const wanted = BlockDeviceMappingListCodec.fromPrimitive(br.block_device_mappings);
    const uuid = br.instance_uuid!;
    const stored = await cell.blockDeviceMappings.createForInstance(
      uuid,
      wanted.map(({ instance_uuid: _i, ...rest }) => rest),
    );
    expect(stored).toHaveLength(1);
    const [bdm] = stored;
    expect(bdm).toMatchObject({
      instance_uuid: uuid,
      source_type: "image",
      destination_type: "local",
      boot_index: 0,
      delete_on_termination: true,
      encrypted: false,
    });
    expect(BlockDeviceMappingCodec.valueSchema.safeParse(bdm).success).toBe(true);
    // Every field the API sent comes back with the same value.
    const sent = wanted[0]!;
    for (const [k, v] of Object.entries(sent)) expect(bdm![k as keyof typeof bdm], k).toEqual(v);
    await clock.advance(5_000);
    const saved = await cell.blockDeviceMappings.update(bdm!.id, { device_name: "/dev/vda" });
    expect(saved.device_name).toBe("/dev/vda");
    expect(saved.updated_at).toEqual(new Date(clock.now()));
    expect(await cell.blockDeviceMappings.listByInstance(uuid)).toEqual([saved]);
    await cell.blockDeviceMappings.destroyForInstance(uuid);
    expect(await cell.blockDeviceMappings.listByInstance(uuid)).toEqual([]);
    await expect(cell.blockDeviceMappings.update(bdm!.id, { tag: "x" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("creates and replaces an instance's network info cache", async () => {
    const uuid = randomUUID();
    await expect(cell.infoCaches.get(uuid)).rejects.toBeInstanceOf(NotFoundError);
    expect((await cell.infoCaches.save(uuid, "[]")).network_info).toBe("[]");
    const nw = JSON.stringify([{ id: "port-1", address: "fa:16:3e:00:00:01" }]);
    expect(await cell.infoCaches.save(uuid, nw)).toMatchObject({
      instance_uuid: uuid,
      network_info: nw,
      deleted: false,
    });
    expect((await cell.infoCaches.get(uuid)).network_info).toBe(nw);
  });
});
