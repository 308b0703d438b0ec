import { describe, expect, it } from "vitest";
import { HostManager, UnknownHostError } from "./host-manager.js";
import { fakeHost } from "./test/index.js";

describe("HostManager", () => {
  it("indexes hosts by name, instance and aggregate set, and follows changes", () => {
    const m = new HostManager();
    m.upsertHost(fakeHost("a", { instances: ["i-1", "i-2"] }));
    m.upsertHost(fakeHost("b", { instances: ["i-3"] }));
    m.setAggregates([
      { id: 1, hosts: ["a", "b"], metadata: { availability_zone: "az1" } },
      { id: 2, hosts: ["b"], metadata: { ssd: "true, fast" } },
    ]);
    expect(m.hostsOfInstance("i-3").map((h) => h.host)).toEqual(["b"]);
    const b = m.get("b", "b.example.org");
    expect([...(b.aggregateSet.metadata().get("ssd") ?? [])]).toEqual(["true", "fast"]);
    expect(m.aggregateSets().size).toBe(2);
    // A new report replaces the instance list.
    m.upsertHost(fakeHost("b", { instances: ["i-4"] }));
    expect(m.hostsOfInstance("i-3")).toEqual([]);
    expect(m.hostsOfInstance("i-4")[0]).toBe(b);
    m.removeHost("a", "a.example.org");
    expect(m.all().map((h) => [h.host, h.position])).toEqual([["b", 0]]);
    expect(() => m.get("a", "a.example.org")).toThrow(UnknownHostError);
  });

  it("knows which services are unavailable at a given time", () => {
    const m = new HostManager();
    m.upsertHost(fakeHost("up", {}, 100_000));
    m.upsertHost(fakeHost("late", {}, 0));
    m.upsertHost(fakeHost("off", { service: { disabled: true, last_seen_up: 100_000 } }));
    m.upsertHost(fakeHost("never", { service: { disabled: false, last_seen_up: null } }));
    const names = () =>
      m
        .unavailableHosts(100_000, 60)
        .map((h) => h.host)
        .sort();
    expect(names()).toEqual(["late", "never", "off"]);
    m.recordHeartbeat("late", 99_000);
    m.setServiceStatus("off", { disabled: false });
    expect(names()).toEqual(["never"]);
    m.setServiceStatus("up", { forced_down: true });
    expect(names()).toEqual(["never", "up"]);
  });

  it("consumes a claim and undoes it", () => {
    const m = new HostManager();
    const h = m.upsertHost(fakeHost("a"));
    const undo = m.consume(h, { vcpus: 2, memory_mb: 1024, disk_gb: 10, placement_disk_gb: 11 }, "i-9");
    expect([
      h.vcpus_used,
      h.free_ram_mb,
      h.free_disk_mb,
      h.num_instances,
      h.num_io_ops,
      h.local_gb_used,
    ]).toEqual([2, 131072 - 1024, 2000 * 1024 - 10 * 1024, 1, 1, 11]);
    expect(m.hostsOfInstance("i-9")[0]).toBe(h);
    undo();
    expect([h.vcpus_used, h.free_ram_mb, h.num_instances, h.local_gb_used]).toEqual([0, 131072, 0, 0]);
    expect(m.hostsOfInstance("i-9")).toEqual([]);
  });
});
