import { NoValidHost } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addComputeHost, CELL_UUID, deployment, specFor, uuid } from "./harness.js";

const tiny = { vcpus: 1, memory_mb: 64, root_gb: 1 };

describe("select_destinations over fake:// (SQLite cell database)", () => {
  let d: Awaited<ReturnType<typeof deployment>>;
  beforeEach(async () => {
    d = await deployment();
  });
  afterEach(async () => {
    await d.dispose();
  });

  it("picks a host, claims it in the cell database and returns Selection objects with alternates", async () => {
    const big = await addComputeHost(d.cell, "cpu-big", { vcpus: 16, memory_mb: 32768, local_gb: 500 });
    const mid = await addComputeHost(d.cell, "cpu-mid", { vcpus: 8, memory_mb: 16384, local_gb: 500 });
    const small = await addComputeHost(d.cell, "cpu-small", { vcpus: 4, memory_mb: 8192, local_gb: 500 });
    await addComputeHost(d.cell, "cpu-extra", { vcpus: 2, memory_mb: 4096, local_gb: 500 });
    const { service } = d.scheduler();
    await service.start();

    const [sel] = await d.api.selectDestinations(
      d.ctx(),
      specFor({ vcpus: 2, memory_mb: 1024, root_gb: 10 }, uuid(1)),
      [uuid(1)],
    );
    // RAMWeigher prefers the most free RAM; max_attempts 3 gives two alternates, best next.
    expect(sel!.map((s) => s.service_host)).toEqual(["cpu-big", "cpu-mid", "cpu-small"]);
    expect(sel![0]).toMatchObject({
      compute_node_uuid: big.uuid,
      nodename: "cpu-big",
      cell_uuid: CELL_UUID,
      availability_zone: "nova",
      allocation_request_version: "1.36",
    });
    expect(JSON.parse(sel![1]!.allocation_request!)).toEqual({
      allocations: { [mid.uuid]: { resources: { DISK_GB: 10, MEMORY_MB: 1024, VCPU: 2 } } },
      mappings: { "": [mid.uuid] },
    });
    expect(sel![2]!.compute_node_uuid).toBe(small.uuid);

    // The pick is claimed in the database; alternates are not.
    const after = await d.cell.computeNodes.getByUuid(big.uuid);
    expect([after.vcpus_used, after.memory_mb_used, after.local_gb_used]).toEqual([2, 1024, 10]);
    expect((await d.cell.computeNodes.getByUuid(mid.uuid)).vcpus_used).toBe(0);
    // And applied to the host state at once: the instance is on the host, the RAM is gone.
    const h = service.hostStates.hosts.get("cpu-big", "cpu-big");
    expect(h.free_ram_mb).toBe(32768 - 1024);
    expect(h.instances.has(uuid(1))).toBe(true);
    expect(service.manager.stats.claims).toBe(1);
  });

  it("returns no alternates when the caller does not want them, and Nova's legacy dicts without objects", async () => {
    // "a" stays the best host after one tiny instance on every weigher but I/O ops.
    await addComputeHost(d.cell, "a", { vcpus: 16, memory_mb: 8192, local_gb: 1000 });
    await addComputeHost(d.cell, "b", { vcpus: 2, memory_mb: 2048, local_gb: 100 });
    const { service } = d.scheduler({ scheduler: { max_attempts: "1" } });
    await service.start();
    const [sel] = await d.api.selectDestinations(d.ctx(), specFor(tiny, uuid(1)), [uuid(1)]);
    expect(sel!.map((s) => s.service_host)).toEqual(["a"]);

    const legacy = await service.manager.endpoint().methods.select_destinations!(
      {},
      {
        spec_obj: (await import("@nova/objects")).RequestSpecCodec.toPrimitive(specFor(tiny, uuid(2))),
        instance_uuids: [uuid(2)],
      },
    );
    expect(legacy).toEqual([{ host: "a", nodename: "a", limits: {} }]);
    expect((await d.cell.computeNodes.list()).map((n) => n.vcpus_used)).toEqual([2, 0]);

    // An older conductor sends no instance uuids: num_instances says how many, and each pick is still claimed.
    const { RequestSpecCodec } = await import("@nova/objects");
    for (const instance_uuids of [null, []]) {
      const two = await service.manager.endpoint().methods.select_destinations!(
        {},
        {
          spec_obj: RequestSpecCodec.toPrimitive(specFor(tiny, uuid(3), { num_instances: 2 })),
          instance_uuids,
          return_objects: true,
          return_alternates: true,
        },
      );
      expect(two).toHaveLength(2);
    }
    const used = (await d.cell.computeNodes.list()).reduce((sum, n) => sum + n.vcpus_used, 0);
    expect(used).toBe(2 + 4);
  });

  it("consumes between picks of a multi-instance request and claims each pick", async () => {
    await addComputeHost(d.cell, "h1", { vcpus: 2, memory_mb: 4096, local_gb: 100 });
    await addComputeHost(d.cell, "h2", { vcpus: 2, memory_mb: 3072, local_gb: 100 });
    const { service } = d.scheduler();
    await service.start();
    const flavor = { vcpus: 1, memory_mb: 1024, root_gb: 1 };
    const uuids = [uuid(1), uuid(2), uuid(3), uuid(4)];
    const sels = await d.api.selectDestinations(
      d.ctx(),
      specFor(flavor, uuids[0]!, { num_instances: 4 }),
      uuids,
    );
    // Without consumption between picks all four would land on h1 (most RAM) and overcommit it: each pick
    // makes its host weigh less (RAM, vCPUs, disk, I/O ops), so the picks alternate.
    expect(sels.map((s) => s[0]!.service_host)).toEqual(["h1", "h2", "h1", "h2"]);
    const nodes = await d.cell.computeNodes.list();
    expect(nodes.map((n) => n.vcpus_used)).toEqual([2, 2]);
    // Alternates never repeat a host picked for this request.
    expect(sels.every((s) => s.length === 1)).toBe(true);
    expect(service.manager.stats.claims).toBe(4);
  });

  it("raises NoValidHost with the explanation summarised in the reason, and leaves no claim behind", async () => {
    await addComputeHost(d.cell, "h1", { vcpus: 2, memory_mb: 2048, local_gb: 100 });
    await addComputeHost(d.cell, "h2", { vcpus: 2, memory_mb: 2048, local_gb: 100 });
    const { service, logger } = d.scheduler();
    await service.start();

    const err = await d.api
      .selectDestinations(d.ctx(), specFor({ vcpus: 4, memory_mb: 1024, root_gb: 1 }, uuid(1)), [uuid(1)])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoValidHost);
    const message = (err as NoValidHost).message;
    expect(message).toContain("No valid host was found. Filtering removed all hosts.");
    expect(message).toContain("2 host(s) considered");
    expect(message).toContain("no host left after Placement");
    expect(message).toContain("VCPU: 4 requested, 2 free of 2 (2 hosts)");
    const logged = logger.records.find((e) => e.message === "no valid host was found");
    expect(logged?.fields).toMatchObject({ explanation: { emptied_by: "Placement", hosts_considered: 2 } });

    // Three instances where only two fit: Nova's reason, and the two claims made are given back.
    const uuids = [uuid(2), uuid(3), uuid(4)];
    const many = await d.api
      .selectDestinations(d.ctx(), specFor({ vcpus: 2, memory_mb: 1024, root_gb: 1 }, uuids[0]!), uuids)
      .catch((e: unknown) => e);
    expect(many).toBeInstanceOf(NoValidHost);
    expect((many as Error).message).toContain("There are not enough hosts available.");
    expect((await d.cell.computeNodes.list()).map((n) => n.vcpus_used)).toEqual([0, 0]);
    expect(service.manager.stats.claims).toBe(0);
    expect(service.hostStates.hosts.all().map((h) => h.vcpus_used)).toEqual([0, 0]);
    // The host states are intact: the same request for two fits.
    const two = await d.api.selectDestinations(
      d.ctx(),
      specFor({ vcpus: 2, memory_mb: 1024, root_gb: 1 }, uuid(5)),
      [uuid(5), uuid(6)],
    );
    expect(two.map((s) => s[0]!.service_host).sort()).toEqual(["h1", "h2"]);
  });

  it("skips disabled and down compute services (servicegroup rule) and says so when none is left", async () => {
    const up = await addComputeHost(d.cell, "up", { vcpus: 2, memory_mb: 1024, local_gb: 100 });
    await addComputeHost(d.cell, "roomy-disabled", { vcpus: 32, memory_mb: 65536, local_gb: 100 });
    await addComputeHost(d.cell, "roomy-down", { vcpus: 32, memory_mb: 65536, local_gb: 100 });
    const { service } = d.scheduler({ DEFAULT: { service_down_time: "60", report_interval: "10" } });
    await service.start();

    const svc = await d.cell.services.getByComputeHost("roomy-disabled");
    await d.cell.services.update(svc.id, { disabled: true, disabled_reason: "maintenance" });
    // 90 s pass; only "up" and "roomy-disabled" keep reporting.
    await d.clock.advance(90_000);
    await d.cell.services.heartbeat(up.service_id!);
    await d.cell.services.heartbeat(svc.id);
    await d.clock.advance(2_000);
    await service.refresh();

    const [sel] = await d.api.selectDestinations(d.ctx(), specFor(tiny, uuid(1)), [uuid(1)]);
    expect(sel!.map((s) => s.service_host)).toEqual(["up"]);

    const err = await d.api
      .selectDestinations(d.ctx(), specFor({ vcpus: 4, memory_mb: 64, root_gb: 1 }, uuid(2)), [uuid(2)])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoValidHost);
    expect((err as Error).message).toContain("no host left after ComputeFilter");
    expect((err as Error).message).toContain("compute service disabled (maintenance) (1 host)");
    expect((err as Error).message).toContain("compute service not heard from in 60 s (1 host)");
  });

  it("schedules onto a compute node registered after the last poll without waiting for the next", async () => {
    const { service } = d.scheduler({ scheduler: { host_state_refresh_interval: "3600" } });
    await service.start();
    const fresh = await addComputeHost(d.cell, "late", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    const [sel] = await d.api.selectDestinations(
      d.ctx(),
      specFor({ vcpus: 1, memory_mb: 512, root_gb: 1 }, uuid(9)),
      [uuid(9)],
    );
    expect(sel![0]!.compute_node_uuid).toBe(fresh.uuid);
  });

  it("picks up a new compute node and usage changes on the periodic poll", async () => {
    await addComputeHost(d.cell, "old", { vcpus: 1, memory_mb: 1024, local_gb: 100 });
    const { service } = d.scheduler({ scheduler: { host_state_refresh_interval: "3" } });
    await service.start();
    const big = { vcpus: 4, memory_mb: 512, root_gb: 1 };
    await expect(d.api.selectDestinations(d.ctx(), specFor(big, uuid(1)), [uuid(1)])).rejects.toBeInstanceOf(
      NoValidHost,
    );

    // The refused request polled once before refusing (a node may have registered since the last poll).
    expect(service.hostStates.stats.refreshes).toBe(1);
    const fresh = await addComputeHost(d.cell, "new", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    // Hold the poll the clock fires, so refresh() is called while it runs.
    const nodes = d.cell.computeNodes;
    const real = nodes.listChangedSince.bind(nodes);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    nodes.listChangedSince = async (...args) => {
      await held;
      return real(...args);
    };
    await d.clock.advance(3_000);
    // The clock fired the poll; refresh() joins that one rather than starting another.
    expect(service.hostStates.stats.refreshes).toBe(2);
    const joined = service.refresh();
    release();
    await joined;
    nodes.listChangedSince = real;
    expect(service.hostStates.stats.refreshes).toBe(2);
    // A refresh asked for while one is in flight joins it rather than starting another.
    await Promise.all([service.refresh(), service.refresh()]);
    expect(service.hostStates.stats.refreshes).toBe(3);
    const [sel] = await d.api.selectDestinations(d.ctx(), specFor(big, uuid(2)), [uuid(2)]);
    expect(sel![0]!.compute_node_uuid).toBe(fresh.uuid);

    // A compute's own report (resource tracker save) shows on the next poll too.
    await d.cell.computeNodes.update(fresh.id, { vcpus_used: 8, memory_mb_used: 8192, free_ram_mb: 0 });
    await d.clock.advance(3_000);
    await service.refresh();
    expect(service.hostStates.hosts.get("new", "new").free_ram_mb).toBe(0);
  });
});
