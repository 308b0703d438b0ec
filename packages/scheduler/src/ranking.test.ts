import { describe, expect, it } from "vitest";
import { ALL_WEIGHERS, parseSchedulerConfig, type SchedulerConfig } from "./config.js";
import type { FilterRequest } from "./filters/host-filter.js";
import { HostManager } from "./host-manager.js";
import type { HostState } from "./host-state.js";
import { NoValidHostError } from "./no-valid-host-error.js";
import {
  filterStages,
  fitsResources,
  preFilterStages,
  resourceRequest,
  runStagesExplained,
} from "./pipeline.js";
import { PluginRegistry } from "./registry.js";
import { Scheduler } from "./scheduler.js";
import { fakeHost, fakeRequest } from "./test/index.js";
import type { AggregateInput, HostInput, RequestSpec } from "./types.js";
import type { HostWeigher } from "./weighers/host-weigher.js";
import { sortByWeight, weighHosts } from "./weighing.js";

const NOW = 1_800_000_000_000;

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Nova's SchedulerManager._schedule, written out literally: every instance re-filters every host of the
// previous list and re-weighs and stable-sorts all survivors. The reference for the incremental ranking.
// A weigher that makes no stability promise (so the scheduler re-asks it for every host each instance).
const loadWeigher: HostWeigher = {
  name: "LoadWeigher",
  prepare: () => ({ value: (h) => h.num_instances * 3 - h.vcpus_used, multiplier: () => -0.5 }),
};

function registry(): PluginRegistry {
  return new PluginRegistry().registerWeigher(loadWeigher);
}

export function novaLiteral(
  manager: HostManager,
  config: SchedulerConfig,
  spec: RequestSpec,
  random: () => number,
): string[][] | "NoValidHost" {
  const plugins = registry();
  const filters = config.enabled_filters.map((n) => plugins.filter(n));
  const weighers = config.weight_classes.map((n) => {
    const weigher = plugins.weigher(n);
    return { weigher, prepared: weigher.prepare({ spec, config }) };
  });
  const uuids = spec.instance_uuids!;
  const groupHosts = [...(spec.instance_group?.hosts ?? [])];
  const resources = resourceRequest(spec);
  let list: HostState[] = manager.all().slice();
  const selected: HostState[] = [];
  const sorted = (index: number): HostState[] => {
    const request: FilterRequest = {
      spec,
      config,
      instanceUuid: uuids[index]!,
      groupHosts: groupHosts.slice(),
      index,
      now: NOW,
      hosts: manager,
      hint: (name) => {
        const v = spec.scheduler_hints?.[name];
        return v === undefined ? undefined : v.length === 1 ? v[0] : v;
      },
    };
    const pre = preFilterStages(spec, config, manager, index === 0);
    const stages = [...pre.stages, ...filterStages(filters, request, false)];
    const survivors = runStagesExplained(list, stages).survivors;
    if (survivors.length === 0) return [];
    const weights = weighHosts(survivors, weighers);
    let order = Array.from(sortByWeight(weights.totals), (i) => survivors[i]!);
    const w = (h: HostState) => weights.totals[survivors.indexOf(h)]!;
    if (config.shuffle_best_same_weighed_hosts) {
      const best = order.filter((h) => w(h) === w(order[0]!));
      for (let i = best.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [best[i], best[j]] = [best[j]!, best[i]!];
      }
      order = [...best, ...order.slice(best.length)];
    }
    const subset = Math.min(config.host_subset_size, order.length);
    const pick = order[subset <= 1 ? 0 : Math.floor(random() * subset)]!;
    return [pick, ...order.filter((h) => h !== pick)];
  };
  let last = 0;
  for (let num = 0; num < uuids.length; num++) {
    last = num;
    list = sorted(num);
    const claimed = list.find((h) => !config.placement_resource_fit || fitsResources(h, resources) === null);
    if (!claimed) return "NoValidHost";
    selected.push(claimed);
    const hasGroup = !!spec.instance_group;
    manager.consume(
      claimed,
      {
        vcpus: spec.flavor.vcpus,
        memory_mb: spec.flavor.memory_mb,
        disk_gb: spec.flavor.root_gb + spec.flavor.ephemeral_gb,
        placement_disk_gb: resources.disk_gb,
      },
      hasGroup ? uuids[num]! : null,
    );
    if (hasGroup) groupHosts.push(claimed.host);
  }
  if (last > 0 && config.max_attempts > 1) list = sorted(last);
  return selected.map((h) => [
    h.host,
    ...list
      .filter((x) => x.cell_uuid === h.cell_uuid && !selected.includes(x))
      .slice(0, config.max_attempts - 1)
      .map((x) => x.host),
  ]);
}

export function scenario(seed: number) {
  const r = rng(seed);
  const pickOf = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  // Small clouds exercise ties and exhaustion; larger ones the pruned walk over the base order.
  const n = seed % 3 === 0 ? 150 + Math.floor(r() * 250) : 5 + Math.floor(r() * 60);
  const members = Array.from({ length: 6 }, (_, i) => `m-${seed}-${i}`);
  const hosts: HostInput[] = [];
  for (let i = 0; i < n; i++) {
    const memory = pickOf([16384, 32768, 65536]);
    const used = pickOf([0, 2048, 4096, 8192]);
    const instances = members.filter(() => r() < 0.1);
    hosts.push(
      fakeHost(
        `h${i}`,
        {
          cell_uuid: r() < 0.2 ? "cell-2" : "cell-1",
          compute_node: {
            vcpus: pickOf([4, 8, 16]),
            vcpus_used: pickOf([0, 1, 2, 8]),
            memory_mb: memory,
            memory_mb_used: used,
            free_ram_mb: memory - used,
            local_gb: 200,
            local_gb_used: pickOf([0, 40, 80]),
            free_disk_gb: 200,
          },
          stats: {
            num_instances: String(pickOf([0, 1, 3])),
            io_workload: String(pickOf([0, 0, 1, 2])),
            failed_builds: String(pickOf([0, 0, 0, 1])),
          },
          pci_pools: r() < 0.2 ? [{ count: pickOf([1, 4]) }] : [],
          metrics: [{ name: "cpu.percent", value: pickOf([0.1, 0.5]) }],
          instances,
        },
        NOW,
      ),
    );
  }
  const aggregates: AggregateInput[] = [
    {
      id: 1,
      hosts: hosts.filter(() => r() < 0.3).map((h) => h.host),
      metadata: { ram_weight_multiplier: "2.0" },
    },
    {
      id: 2,
      hosts: hosts.filter(() => r() < 0.3).map((h) => h.host),
      metadata: { io_ops_weight_multiplier: "-3" },
    },
  ];
  const policy = pickOf([null, "affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"]);
  const count = 1 + Math.floor(r() * 12);
  const uuids = Array.from({ length: count }, (_, i) => `new-${seed}-${i}`);
  const spec = fakeRequest({
    instance_uuid: uuids[0]!,
    instance_uuids: uuids,
    num_instances: count,
    flavor: {
      name: "f",
      vcpus: pickOf([1, 2]),
      memory_mb: pickOf([1024, 2048, 4096]),
      root_gb: 10,
      ephemeral_gb: 0,
    },
    instance_group: policy
      ? {
          policy,
          members: [...members, ...uuids],
          hosts: hosts.filter((h) => h.instances?.length).map((h) => h.host),
        }
      : null,
  });
  const config = parseSchedulerConfig({
    enabled_filters: [
      "ComputeFilter",
      "ServerGroupAntiAffinityFilter",
      "ServerGroupAffinityFilter",
      "NumInstancesFilter",
    ],
    max_instances_per_host: pickOf([4, 50]),
    host_subset_size: pickOf([1, 1, 2, 3]),
    shuffle_best_same_weighed_hosts: r() < 0.25,
    max_attempts: pickOf([1, 3, 4]),
    ram_weight_multiplier: pickOf([1.0, -1.0, 0.0]),
    metrics_weight_setting: r() < 0.3 ? ["cpu.percent=-1.0"] : [],
    ...(r() < 0.3
      ? { weight_classes: [...ALL_WEIGHERS.slice(0, 5), "LoadWeigher", ...ALL_WEIGHERS.slice(5)] }
      : {}),
    placement_resource_fit: r() < 0.7,
  });
  const build = () => {
    const m = new HostManager();
    m.setAggregates(aggregates);
    for (const h of hosts) m.upsertHost(h);
    return m;
  };
  return { build, spec, config, seed };
}

describe("incremental ranking", () => {
  it("places multi-instance requests exactly as Nova's literal algorithm (random scenarios)", () => {
    let multi = 0;
    const seeds = 300;
    for (let seed = 1; seed <= seeds; seed++) {
      const { build, spec, config } = scenario(seed);
      const want = novaLiteral(build(), config, spec, rng(seed * 7));
      const scheduler = new Scheduler({
        config,
        hosts: build(),
        plugins: registry(),
        clock: { now: () => NOW },
        random: rng(seed * 7),
      });
      let got: string[][] | "NoValidHost";
      try {
        got = scheduler.selectDestinations(spec).selections.map((s) => s.map((x) => x.host));
      } catch (e) {
        if (!NoValidHostError.isInstance(e)) throw e;
        got = "NoValidHost";
      }
      expect({ seed, got }).toEqual({ seed, got: want });
      if (Array.isArray(want) && want.length > 1) multi++;
    }
    expect(multi).toBeGreaterThan(100);
  });
});
