import { NoValidHost } from "@nova/rpcapi";
import { afterEach, describe, expect, it } from "vitest";
import { addComputeHost, deployment, specFor, uuid } from "./harness.js";

const flavor = { vcpus: 2, memory_mb: 1024, root_gb: 10 };

for (const backend of ["sqlite", "mariadb"] as const) {
  describe(`claims racing between two schedulers (${backend})`, () => {
    let d: Awaited<ReturnType<typeof deployment>>;
    afterEach(async () => {
      await d.dispose();
    });

    it("two scheduler instances racing on one small host never overcommit it", async () => {
      d = await deployment(backend);
      // Room for exactly two instances of the flavor.
      const node = await addComputeHost(d.cell, "small", { vcpus: 4, memory_mb: 4096, local_gb: 100 });
      // Two schedulers, each with its own database connection(s) and bus connection, both loaded while the host
      // was empty: neither sees the other's claims until they meet in the database.
      const a = d.scheduler({}, { sharedDb: false });
      const b = d.scheduler({}, { sharedDb: false });
      await a.service.start();
      await b.service.start();

      // Six boots at once; the broker hands them out round robin, three to each scheduler.
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          d.api.selectDestinations(d.ctx(), specFor(flavor, uuid(i + 1)), [uuid(i + 1)]),
        ),
      );
      const placed = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected");
      expect(placed).toHaveLength(2);
      expect(refused).toHaveLength(4);
      for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(NoValidHost);

      const after = await d.cell.computeNodes.getByUuid(node.uuid);
      expect([after.vcpus_used, after.memory_mb_used, after.local_gb_used]).toEqual([4, 2048, 20]);
      // Both served requests, and each believed it had room for two: at least two claims lost in the database.
      const sa = a.service.manager.stats;
      const sb = b.service.manager.stats;
      expect(sa.claims + sb.claims).toBe(2);
      expect(sa.claims + sa.noValidHost).toBe(3);
      expect(sb.claims + sb.noValidHost).toBe(3);
      expect(sa.lostClaims + sb.lostClaims).toBeGreaterThanOrEqual(2);
      // The losers re-read the node: both now know it is full.
      for (const s of [a, b]) expect(s.service.hostStates.hosts.get("small", "small").vcpus_used).toBe(4);
    });

    it("concurrent requests in one scheduler see each other's picks before the claims land", async () => {
      d = await deployment(backend);
      const node = await addComputeHost(d.cell, "small", { vcpus: 4, memory_mb: 4096, local_gb: 100 });
      const { service } = d.scheduler();
      await service.start();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          d.api.selectDestinations(d.ctx(), specFor(flavor, uuid(i + 1)), [uuid(i + 1)]),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
      // The local reservations kept the other three from even trying: no claim lost in the database.
      expect(service.manager.stats).toMatchObject({ claims: 2, lostClaims: 0, noValidHost: 3 });
      expect((await d.cell.computeNodes.getByUuid(node.uuid)).vcpus_used).toBe(4);
    });

    it("a lost claim re-reads the node and picks again; a request that then cannot complete gives its claims back", async () => {
      d = await deployment(backend);
      const h1 = await addComputeHost(d.cell, "h1", { vcpus: 2, memory_mb: 4096, local_gb: 100 });
      const h2 = await addComputeHost(d.cell, "h2", { vcpus: 2, memory_mb: 2048, local_gb: 100 });
      const h3 = await addComputeHost(d.cell, "h3", { vcpus: 2, memory_mb: 1024, local_gb: 50 });
      const { service } = d.scheduler();
      await service.start();
      // Another scheduler fills h1 behind this one's back.
      const other = d.cell;
      await other.computeNodes.claim(h1.uuid, { vcpus: 2, memory_mb: 1024, local_gb: 10 });

      // One instance: h1 looks best but is full; the claim loses, h1 is re-read, h2 is picked and claimed.
      const [sel] = await d.api.selectDestinations(d.ctx(), specFor(flavor, uuid(1)), [uuid(1)]);
      expect(sel![0]!.service_host).toBe("h2");
      expect(service.manager.stats.lostClaims).toBe(1);
      expect(service.hostStates.hosts.get("h1", "h1").vcpus_used).toBe(2);

      // Two instances, h1 full: the scheduler's view has h2 and h3 free, but another scheduler has just taken
      // h3 unseen. The first claim (h2) lands, the second (h3) loses; after re-reading h3 nothing fits the
      // second instance: NoValidHost, and the claim on h2 is given back.
      await other.computeNodes.release(h2.uuid, { vcpus: 2, memory_mb: 1024, local_gb: 10 });
      await service.refresh();
      expect(service.hostStates.hosts.get("h2", "h2").vcpus_used).toBe(0);
      await other.computeNodes.claim(h3.uuid, { vcpus: 2, memory_mb: 512, local_gb: 10 });
      const err = await d.api
        .selectDestinations(d.ctx(), specFor({ vcpus: 2, memory_mb: 256, root_gb: 1 }, uuid(2)), [
          uuid(2),
          uuid(3),
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoValidHost);
      expect((err as Error).message).toContain("There are not enough hosts available.");
      expect(service.manager.stats.lostClaims).toBe(2);
      expect(service.manager.stats.releasedClaims).toBe(1);
      const rows = await d.cell.computeNodes.list();
      expect(rows.map((n) => [n.host, n.vcpus_used])).toEqual([
        ["h1", 2],
        ["h2", 0],
        ["h3", 2],
      ]);
      expect(service.hostStates.hosts.get("h2", "h2").vcpus_used).toBe(0);
      expect(service.hostStates.instancesOn("h2").has(uuid(2))).toBe(false);
    });
  });
}
