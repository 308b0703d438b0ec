import { HostManager, parseSchedulerConfig, Scheduler } from "@nova/scheduler";
import { antiAffinityRequest, BENCH_FILTERS, generateCloud, NOW, typicalRequest } from "/work/wt/scheduler/bench/scheduler/generate.js";
for (const n of process.argv.slice(2).map(Number)) {
  const cloud = generateCloud(n);
  const hosts = new HostManager(); hosts.setAggregates(cloud.aggregates); for (const h of cloud.hosts) hosts.upsertHost(h);
  const s = new Scheduler({ config: parseSchedulerConfig({ enabled_filters: BENCH_FILTERS }), hosts, clock: () => NOW });
  const hundred = Array.from({ length: 100 }, (_, i) => `m-${i}`);
  const time = (f: () => void, r: number) => { for (let i = 0; i < 3; i++) f(); let b = 1e9; for (let i = 0; i < r; i++) { const t = performance.now(); f(); b = Math.min(b, performance.now() - t); } return b; };
  const one = time(() => s.selectDestinations(typicalRequest(["x"]), { claim: false }), 10);
  const multi = time(() => s.selectDestinations(typicalRequest(hundred), { claim: false }), 3);
  const aa = time(() => s.selectDestinations(antiAffinityRequest(cloud.groupMembers), { claim: false }), 10);
  console.log(n, one.toFixed(2), multi.toFixed(2), (multi / one).toFixed(1), aa.toFixed(2));
}
