import { HostManager, parseSchedulerConfig, Scheduler } from "@nova/scheduler";
import { BENCH_FILTERS, generateCloud, NOW, typicalRequest } from "./generate.js";

const cloud = generateCloud(1000);
const hosts = new HostManager();
hosts.setAggregates(cloud.aggregates);
for (const h of cloud.hosts) hosts.upsertHost(h);
const s = new Scheduler({
  config: parseSchedulerConfig({ enabled_filters: BENCH_FILTERS }),
  hosts,
  clock: () => NOW,
});
const hundred = Array.from({ length: 100 }, (_, i) => `m-${i}`);
for (let i = 0; i < 150; i++) s.selectDestinations(typicalRequest(hundred), { claim: false });
