import { parseSchedulerConfig, type SchedulerConfig } from "../config.js";
import type { SchedulingExplanation } from "../explanation.js";
import { HostManager } from "../host-manager.js";
import { NoValidHostError } from "../no-valid-host-error.js";
import { filterStages, stageTest } from "../pipeline.js";
import { PluginRegistry } from "../registry.js";
import { Scheduler } from "../scheduler.js";
import type { AggregateInput, HostInput, RequestSpec } from "../types.js";

/** A differential case: a scheduling problem plus Nova's own answer (see test/fixtures/README.md). */
export interface NovaCase {
  schema_version: number;
  seed: number;
  nova_version: string;
  config: Record<string, unknown> & { weighers: string[]; multipliers: Record<string, number> };
  cells: string[];
  aggregates: AggregateInput[];
  hosts: Array<
    Omit<HostInput, "service" | "instances"> & {
      service: {
        disabled: boolean;
        disabled_reason: string | null;
        forced_down: boolean;
        seconds_since_heartbeat: number;
      };
      instances: string[];
    }
  >;
  request: RequestSpec;
  expected: {
    after_ignore_hosts: string[];
    filter_trace: Array<{ filter: string; passed: string[] }>;
    filter_matrix: Record<string, string[]>;
    filtered: string[];
    weighed: Array<{
      host: string;
      nodename: string;
      weight: number;
      weight_repr: string;
      weighers: Record<string, { raw: number; normalized: number; multiplier: number }>;
    }>;
    selection: { host: string; nodename: string; alternates: string[] } | null;
  };
}

/** What the port answered for a case, in the case's own terms. */
export interface CaseAnswer {
  after_ignore_hosts: string[];
  filter_trace: Array<{ filter: string; passed: string[] }>;
  filter_matrix: Record<string, string[]>;
  filtered: string[];
  weighed: SchedulingExplanation["weighed"];
  selection: { host: string; nodename: string; alternates: string[] } | null;
}

const NOW = Date.UTC(2026, 0, 1);

/** The case's configuration as scheduler options (placement's own steps off: Nova's answer had none). */
export function caseConfig(c: NovaCase): SchedulerConfig {
  const k = c.config;
  return parseSchedulerConfig({
    enabled_filters: k.enabled_filters,
    weight_classes: k.weighers,
    ...k.multipliers,
    metrics_weight_setting: k.metrics_weight_setting,
    metrics_required: k.metrics_required,
    metrics_weight_of_unavailable: k.metrics_weight_of_unavailable,
    max_io_ops_per_host: k.max_io_ops_per_host,
    max_instances_per_host: k.max_instances_per_host,
    default_availability_zone: k.default_availability_zone,
    service_down_time: k.service_down_time,
    host_subset_size: k.host_subset_size,
    max_attempts: k.max_attempts,
    image_properties_default_architecture: k.image_properties_default_architecture,
    isolated_hosts: k.isolated_hosts,
    isolated_images: k.isolated_images,
    restrict_isolated_hosts_to_isolated_images: k.restrict_isolated_hosts_to_isolated_images,
    aggregate_image_properties_isolation_namespace: k.aggregate_image_properties_isolation_namespace,
    aggregate_image_properties_isolation_separator: k.aggregate_image_properties_isolation_separator,
    placement_resource_fit: false,
    query_placement_for_availability_zone: false,
  });
}

/** A host manager holding the case's hosts and aggregates, in input order. */
export function caseHostManager(c: NovaCase): HostManager {
  const m = new HostManager();
  m.setAggregates(c.aggregates);
  for (const h of c.hosts) {
    const { service, ...rest } = h;
    m.upsertHost({
      ...rest,
      service: {
        disabled: service.disabled,
        disabled_reason: service.disabled_reason,
        forced_down: service.forced_down,
        last_seen_up: NOW - service.seconds_since_heartbeat * 1000,
      },
    });
  }
  return m;
}

/** Runs a case through the port and reports the answer in the case's terms. */
export function answerCase(c: NovaCase): CaseAnswer {
  const config = caseConfig(c);
  const hosts = caseHostManager(c);
  const plugins = new PluginRegistry();
  const scheduler = new Scheduler({ config, hosts, plugins, clock: { now: () => NOW } });
  let explanation: SchedulingExplanation;
  let selection: CaseAnswer["selection"] = null;
  try {
    const r = scheduler.selectDestinations(c.request, { explain: true, claim: false });
    explanation = r.explanation!;
    const [first, ...alts] = r.selections[0]!;
    selection = { host: first!.host, nodename: first!.nodename, alternates: alts.map((a) => a.host) };
  } catch (e) {
    if (!NoValidHostError.isInstance(e)) throw e;
    explanation = e.explanation;
  }
  const preStages = new Set([
    "Cell",
    "Placement",
    "PlacementAvailabilityZone",
    "RequestedDestination",
    "IgnoreHosts",
    "ForceHosts",
    "ForceNodes",
  ]);
  const rejectedAt = new Map<string, string>();
  for (const r of explanation.rejected) rejectedAt.set(`${r.host}\u0000${r.nodename}`, r.rejected_by);
  const all = hosts.all();
  const afterIgnore = all.filter((h) => !preStages.has(rejectedAt.get(`${h.host}\u0000${h.nodename}`) ?? ""));
  const trace: CaseAnswer["filter_trace"] = [];
  const gone = new Set<string>();
  for (const s of explanation.stages) {
    for (const r of explanation.rejected)
      if (r.rejected_by === s.name) gone.add(`${r.host}\u0000${r.nodename}`);
    if (preStages.has(s.name)) continue;
    trace.push({
      filter: s.name,
      passed: afterIgnore.filter((h) => !gone.has(`${h.host}\u0000${h.nodename}`)).map((h) => h.host),
    });
  }
  // Each filter alone over the hosts that reached the filters.
  const matrix: Record<string, string[]> = {};
  const stages = filterStages(
    config.enabled_filters.map((n) => plugins.filter(n)),
    {
      spec: c.request,
      config,
      instanceUuid: c.request.instance_uuid ?? null,
      groupHosts: [...(c.request.instance_group?.hosts ?? [])],
      index: 0,
      now: NOW,
      hosts,
      hint: (name) => {
        const v = c.request.scheduler_hints?.[name];
        return v === undefined ? undefined : v.length === 1 ? v[0] : v;
      },
    },
    false,
  );
  for (const s of stages) {
    const t = stageTest(s);
    matrix[s.name] = afterIgnore.filter((h) => !t || t(h)).map((h) => h.host);
  }
  return {
    after_ignore_hosts: afterIgnore.map((h) => h.host),
    filter_trace: trace,
    filter_matrix: matrix,
    filtered: explanation.passed.map((p) => p.host),
    weighed: explanation.weighed,
    selection,
  };
}

function sameList(a: readonly string[], b: readonly string[]): string | null {
  if (a.length !== b.length) return `${a.length} host(s), Nova ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `at ${i}: ${a[i]}, Nova ${b[i]}`;
  return null;
}

/** Compares the port's answer with Nova's: null when identical, else the first difference. */
export function firstDifference(c: NovaCase, got: CaseAnswer): string | null {
  const e = c.expected;
  let d = sameList(got.after_ignore_hosts, e.after_ignore_hosts);
  if (d) return `after_ignore_hosts ${d}`;
  if (got.filter_trace.length !== e.filter_trace.length) {
    return `filter_trace has ${got.filter_trace.length} step(s), Nova ${e.filter_trace.length}`;
  }
  for (let i = 0; i < e.filter_trace.length; i++) {
    const g = got.filter_trace[i]!;
    const x = e.filter_trace[i]!;
    if (g.filter !== x.filter) return `filter_trace[${i}] is ${g.filter}, Nova ${x.filter}`;
    d = sameList(g.passed, x.passed);
    if (d) return `filter_trace ${x.filter}: ${d}`;
  }
  for (const [f, hosts] of Object.entries(e.filter_matrix)) {
    const g = got.filter_matrix[f];
    if (!g) return `filter_matrix: no ${f}`;
    d = sameList(g, hosts);
    if (d) return `filter_matrix ${f}: ${d}`;
  }
  d = sameList(got.filtered, e.filtered);
  if (d) return `filtered ${d}`;
  // Nova skips weighing with 0 or 1 survivors; its weighed list then holds the lone host at weight 0.
  if (e.weighed.length > 1 || got.weighed.length > 1) {
    d = sameList(
      got.weighed.map((w) => w.host),
      e.weighed.map((w) => w.host),
    );
    if (d) return `weighed order ${d}`;
    for (let i = 0; i < e.weighed.length; i++) {
      const x = e.weighed[i]!;
      const g = got.weighed[i]!;
      const want = Number(x.weight_repr);
      if (!Object.is(g.weight, want) && !(g.weight === 0 && want === 0)) {
        return `weight of ${x.host}: ${g.weight}, Nova ${x.weight_repr}`;
      }
      for (const [name, s] of Object.entries(x.weighers)) {
        const gs = g.weighers[name];
        if (!gs) return `weigher ${name} missing for ${x.host}`;
        for (const k of ["raw", "normalized", "multiplier"] as const) {
          if (gs[k] !== s[k]) return `${name}.${k} of ${x.host}: ${gs[k]}, Nova ${s[k]}`;
        }
      }
    }
  }
  const gs = got.selection;
  const es = e.selection;
  if (!gs || !es)
    return gs === es ? null : `selection ${gs ? gs.host : "none"}, Nova ${es ? es.host : "none"}`;
  if (gs.host !== es.host || gs.nodename !== es.nodename) return `selection ${gs.host}, Nova ${es.host}`;
  d = sameList(gs.alternates, es.alternates);
  return d ? `alternates ${d}` : null;
}
