import type { InstanceGroup } from "@nova/objects";
import { NoValidHost } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addComputeHost, deployment, specFor, uuid } from "./harness.js";

const tiny = { vcpus: 1, memory_mb: 64, root_gb: 1 };

function group(policy: string, members: string[], hosts: string[] = []): Partial<InstanceGroup> {
  return { uuid: "99999999-0000-4000-8000-000000000001", policy, members, hosts, _rules: {} };
}

describe("request features through the service", () => {
  let d: Awaited<ReturnType<typeof deployment>>;
  beforeEach(async () => {
    d = await deployment();
    await addComputeHost(d.cell, "big", { vcpus: 64, memory_mb: 65536, local_gb: 1000 });
    await addComputeHost(d.cell, "mid", { vcpus: 16, memory_mb: 16384, local_gb: 500 });
    await addComputeHost(d.cell, "small", { vcpus: 8, memory_mb: 8192, local_gb: 200 });
  });
  afterEach(async () => {
    await d.dispose();
  });

  it("spreads an anti-affinity group and packs an affinity group, across requests too", async () => {
    const { service } = d.scheduler();
    await service.start();
    const anti = [uuid(1), uuid(2), uuid(3)];
    const spread = await d.api.selectDestinations(
      d.ctx(),
      specFor(tiny, anti[0]!, { instance_group: group("anti-affinity", anti) as InstanceGroup }),
      anti,
    );
    expect(spread.map((s) => s[0]!.service_host).sort()).toEqual(["big", "mid", "small"]);
    // A fourth member has nowhere to go.
    const fourth = specFor(tiny, uuid(4), {
      instance_group: group("anti-affinity", [...anti, uuid(4)], ["big", "mid", "small"]) as InstanceGroup,
    });
    await expect(d.api.selectDestinations(d.ctx(), fourth, [uuid(4)])).rejects.toBeInstanceOf(NoValidHost);

    // Affinity: the group's existing host wins over the roomier ones.
    const aff = specFor(tiny, uuid(5), {
      instance_group: group("affinity", [uuid(6), uuid(5)], ["small"]) as InstanceGroup,
    });
    const [sel] = await d.api.selectDestinations(d.ctx(), aff, [uuid(5)]);
    expect(sel![0]!.service_host).toBe("small");
  });

  it("honours ignore_hosts, force_hosts and a requested destination", async () => {
    const { service } = d.scheduler();
    await service.start();
    const pick = async (extra: Parameters<typeof specFor>[2], n: number) =>
      (await d.api.selectDestinations(d.ctx(), specFor(tiny, uuid(n), extra), [uuid(n)]))[0]!.map(
        (s) => s.service_host,
      );
    expect(await pick({ ignore_hosts: ["big"] }, 1)).toEqual(["mid", "small"]);
    expect(await pick({ force_hosts: ["small"] }, 2)).toEqual(["small"]);
    expect(
      await pick(
        {
          requested_destination: {
            "nova_object.name": "Destination",
            "nova_object.namespace": "nova",
            "nova_object.version": "1.4",
            "nova_object.data": { host: "mid", node: null },
          },
        },
        3,
      ),
    ).toEqual(["mid"]);
  });

  it("forgets a compute node or service deleted from the database on the next poll", async () => {
    const { service } = d.scheduler();
    await service.start();
    expect(service.hostStates.hosts.size).toBe(3);
    const big = await d.cell.computeNodes.getByHostAndNodename("big", "big");
    await d.cell.computeNodes.destroy(big.id);
    const small = await d.cell.services.getByComputeHost("small");
    await d.cell.services.destroy(small.id);
    d.clock.advance(2_000);
    await service.refresh();
    expect(service.hostStates.hosts.all().map((h) => h.host)).toEqual(["mid"]);
    const [sel] = await d.api.selectDestinations(d.ctx(), specFor(tiny, uuid(1)), [uuid(1)]);
    expect(sel!.map((s) => s.service_host)).toEqual(["mid"]);
  });
});
