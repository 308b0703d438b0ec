import { hasErrorCode, NovaError } from "@nova/core";
import { describe, expect, it } from "vitest";
import { parseSchedulerConfig } from "./config.js";
import type { HostFilter } from "./filters/host-filter.js";
import { HostManager } from "./host-manager.js";
import { NoValidHostError } from "./no-valid-host-error.js";
import { PluginRegistry } from "./registry.js";
import { Scheduler } from "./scheduler.js";
import { fakeHost, fakeRequest } from "./test/index.js";
import type { HostInput } from "./types.js";
import type { HostWeigher } from "./weighers/host-weigher.js";

const NOW = 1_800_000_000_000;

function setup(hosts: HostInput[], config: Record<string, unknown> = {}, plugins?: PluginRegistry) {
  const manager = new HostManager();
  for (const h of hosts) manager.upsertHost(h);
  const scheduler = new Scheduler({
    config: parseSchedulerConfig(config),
    hosts: manager,
    clock: { now: () => NOW },
    ...(plugins ? { plugins } : {}),
  });
  return { manager, scheduler };
}

const ram = (free: number) => ({ compute_node: { free_ram_mb: free, memory_mb_used: 131072 - free } });
const uuids = (n: number) =>
  Array.from({ length: n }, (_, i) => `33333333-3333-4333-8333-${String(i).padStart(12, "0")}`);

describe("selectDestinations", () => {
  it("picks the most free RAM and offers alternates in the same cell only", () => {
    const { scheduler } = setup([
      fakeHost("a", ram(10_000), NOW),
      fakeHost("b", { ...ram(90_000), cell_uuid: "c0000000-0000-4000-8000-000000000002" }, NOW),
      fakeHost("c", ram(50_000), NOW),
      fakeHost("d", ram(70_000), NOW),
    ]);
    const r = scheduler.selectDestinations(fakeRequest(), { claim: false });
    expect(r.selections).toHaveLength(1);
    expect(r.selections[0]!.map((s) => s.host)).toEqual(["b"]);
    const r2 = scheduler.selectDestinations(fakeRequest({ ignore_hosts: ["B"] }), { claim: false });
    expect(r2.selections[0]!.map((s) => s.host)).toEqual(["d", "c", "a"]);
  });

  it("consumes each pick before placing the next instance, and keeps the claims", () => {
    const { scheduler, manager } = setup([fakeHost("a", ram(8192), NOW), fakeHost("b", ram(7168), NOW)], {
      max_attempts: 1,
    });
    const spec = fakeRequest({ instance_uuids: uuids(3), num_instances: 3 });
    const r = scheduler.selectDestinations(spec);
    // a (8192) -> a has 6144 < b 7168 -> b (5120) -> a 6144.
    expect(r.selections.map((s) => s[0]!.host)).toEqual(["a", "b", "a"]);
    expect(manager.get("a", "a.example.org").free_ram_mb).toBe(8192 - 2 * 2048);
    expect(manager.get("a", "a.example.org").num_io_ops).toBe(2);
    expect(manager.get("b", "b.example.org").vcpus_used).toBe(1);
  });

  it("a dry run leaves the host states as they were", () => {
    const { scheduler, manager } = setup([fakeHost("a", ram(8192), NOW)]);
    scheduler.selectDestinations(fakeRequest({ instance_uuids: uuids(2) }), { claim: false });
    expect(manager.get("a", "a.example.org").free_ram_mb).toBe(8192);
  });

  it("spreads an anti-affinity group and stacks an affinity group", () => {
    const hosts = ["a", "b", "c"].map((h, i) => fakeHost(h, ram(60_000 + i * 1000), NOW));
    const members = uuids(3);
    const anti = setup(hosts).scheduler.selectDestinations(
      fakeRequest({
        instance_uuids: members,
        instance_group: { policy: "anti-affinity", members, hosts: [] },
      }),
    );
    expect(new Set(anti.selections.map((s) => s[0]!.host)).size).toBe(3);
    const aff = setup(hosts, { max_attempts: 1 }).scheduler.selectDestinations(
      fakeRequest({ instance_uuids: members, instance_group: { policy: "affinity", members, hosts: [] } }),
    );
    expect(aff.selections.map((s) => s[0]!.host)).toEqual(["c", "c", "c"]);
  });

  it("fails a multi-instance request it cannot complete and rolls its claims back", () => {
    const members = uuids(3);
    const { scheduler, manager } = setup([fakeHost("a", {}, NOW), fakeHost("b", {}, NOW)]);
    const spec = fakeRequest({
      instance_uuids: members,
      instance_group: { policy: "anti-affinity", members, hosts: [] },
    });
    expect(() => scheduler.selectDestinations(spec)).toThrow(NoValidHostError);
    expect(manager.get("a", "a.example.org").num_instances).toBe(0);
    expect(manager.get("b", "b.example.org").num_instances).toBe(0);
  });

  it("honours force_hosts (skipping filters), force_nodes and a requested destination", () => {
    const hosts = [
      fakeHost("a", ram(100_000), NOW),
      fakeHost("b", { ...ram(10_000), service: { disabled: true, last_seen_up: NOW } }, NOW),
    ];
    const { scheduler } = setup(hosts);
    expect(
      scheduler.selectDestinations(fakeRequest({ force_hosts: ["b"] }), { claim: false }).selections[0]![0]!
        .host,
    ).toBe("b");
    expect(
      scheduler.selectDestinations(fakeRequest({ force_nodes: ["a.example.org"] }), { claim: false })
        .selections[0]![0]!.host,
    ).toBe("a");
    expect(() =>
      scheduler.selectDestinations(fakeRequest({ requested_destination: { host: "b" } }), { claim: false }),
    ).toThrow(NoValidHostError);
  });

  it("explains a NoValidHost: counts per step and each rejected host's first rejecting step", () => {
    const hosts = [
      fakeHost("up", { ...ram(1024) }, NOW),
      fakeHost("down", { service: { disabled: false, last_seen_up: NOW - 3_600_000 } }, NOW),
      fakeHost(
        "off",
        { service: { disabled: true, disabled_reason: "maintenance", last_seen_up: NOW } },
        NOW,
      ),
      fakeHost("arm", { supported_instances: [["aarch64", "kvm", "hvm"]] }, NOW),
    ];
    const { scheduler } = setup(hosts);
    const spec = fakeRequest({ image: { id: "img", properties: { hw_architecture: "x86_64" } } });
    let error: unknown;
    try {
      scheduler.selectDestinations(spec);
    } catch (e) {
      error = e;
    }
    expect(NoValidHostError.isInstance(error)).toBe(true);
    // A nova-ts error with a stable code, recognised by the base's cross-copy check too.
    expect(NovaError.isInstance(error)).toBe(true);
    expect(hasErrorCode(error, "NO_VALID_HOST")).toBe(true);
    expect((error as NoValidHostError).name).toBe("NoValidHostError");
    const ex = (error as NoValidHostError).explanation;
    expect(ex.stages).toEqual([
      { name: "Placement", hosts_in: 4, hosts_out: 3 },
      { name: "ComputeFilter", hosts_in: 3, hosts_out: 1 },
      { name: "ComputeCapabilitiesFilter", hosts_in: 1, hosts_out: 1 },
      { name: "ImagePropertiesFilter", hosts_in: 1, hosts_out: 0 },
    ]);
    expect(ex.emptied_by).toBe("ImagePropertiesFilter");
    const by = Object.fromEntries(ex.rejected.map((r) => [r.host, [r.rejected_by, r.reason]]));
    expect(by.up).toEqual(["Placement", expect.stringMatching(/^MEMORY_MB: 2048 requested/)]);
    expect(by.down).toEqual(["ComputeFilter", "compute service not heard from in 60 s"]);
    expect(by.off).toEqual(["ComputeFilter", "compute service disabled (maintenance)"]);
    expect(by.arm![0]).toBe("ImagePropertiesFilter");
    expect(by.arm![1]).toMatch(/aarch64/);
  });

  it("uses registered custom filters and weighers", () => {
    const evenOnly: HostFilter = {
      name: "EvenHostFilter",
      hostPasses: (h) => Number(h.host.slice(1)) % 2 === 0,
      reason: () => "odd host",
    };
    const preferLow: HostWeigher = {
      name: "LowNumberWeigher",
      prepare: () => ({ value: (h) => -Number(h.host.slice(1)), multiplier: () => 1 }),
    };
    const plugins = new PluginRegistry().registerFilter(evenOnly).registerWeigher(preferLow);
    const hosts = ["h1", "h2", "h3", "h4", "h6"].map((h) => fakeHost(h, {}, NOW));
    const { scheduler } = setup(
      hosts,
      { enabled_filters: ["ComputeFilter", "EvenHostFilter"], weight_classes: ["LowNumberWeigher"] },
      plugins,
    );
    const r = scheduler.selectDestinations(fakeRequest(), { explain: true, claim: false });
    expect(r.selections[0]!.map((s) => s.host)).toEqual(["h2", "h4", "h6"]);
    expect(
      r.explanation!.rejected.filter((x) => x.rejected_by === "EvenHostFilter").map((x) => x.host),
    ).toEqual(["h1", "h3"]);
  });

  it("rejects unknown filter names at construction", () => {
    expect(() => setup([], { enabled_filters: ["NoSuchFilter"] })).toThrow(/NoSuchFilter/);
  });

  it("follows compute node reports and heartbeats between requests", () => {
    const { scheduler, manager } = setup([fakeHost("a", ram(10_000), NOW), fakeHost("b", ram(20_000), NOW)]);
    expect(scheduler.selectDestinations(fakeRequest(), { claim: false }).selections[0]![0]!.host).toBe("b");
    manager.upsertHost(fakeHost("a", ram(90_000), NOW));
    expect(scheduler.selectDestinations(fakeRequest(), { claim: false }).selections[0]![0]!.host).toBe("a");
    manager.recordHeartbeat("a", NOW - 61_000);
    expect(scheduler.selectDestinations(fakeRequest(), { claim: false }).selections[0]![0]!.host).toBe("b");
  });

  it("the fast path and the explained path agree", () => {
    const hosts = Array.from({ length: 60 }, (_, i) =>
      fakeHost(`h${i}`, {
        ...ram(1000 * ((i * 37) % 50) + 4096),
        service: { disabled: i % 7 === 0, last_seen_up: NOW - (i % 5) * 20_000 },
      }),
    );
    const manager = new HostManager();
    manager.setAggregates([
      {
        id: 1,
        hosts: hosts.filter((_, i) => i % 3 === 0).map((h) => h.host),
        metadata: { availability_zone: "az1" },
      },
      {
        id: 2,
        hosts: hosts.filter((_, i) => i % 3 === 1).map((h) => h.host),
        metadata: { availability_zone: "az2" },
      },
    ]);
    for (const h of hosts) manager.upsertHost(h);
    const config = parseSchedulerConfig({
      enabled_filters: ["ComputeFilter", "AvailabilityZoneFilter", "ImagePropertiesFilter"],
    });
    const scheduler = new Scheduler({ config, hosts: manager, clock: { now: () => NOW } });
    for (const az of ["az1", "az2", "nova"]) {
      const spec = fakeRequest({ availability_zone: az });
      const fast = scheduler.selectDestinations(spec, { claim: false });
      const slow = scheduler.selectDestinations(spec, { claim: false, explain: true });
      expect(fast.selections).toEqual(slow.selections);
      expect(slow.explanation!.passed.length).toBeGreaterThan(0);
    }
  });
});
