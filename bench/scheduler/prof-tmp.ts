import { HostManager, parseSchedulerConfig, Scheduler } from "@nova/scheduler";
import { antiAffinityRequest, BENCH_FILTERS, generateCloud, NOW, typicalRequest } from "./generate.js";

const n = Number(process.argv[2]);
const which = process.argv[3];
const cloud = generateCloud(n);
const hosts = new HostManager();
hosts.setAggregates(cloud.aggregates);
for (const h of cloud.hosts) hosts.upsertHost(h);
const s = new Scheduler({
  config: parseSchedulerConfig({ enabled_filters: BENCH_FILTERS }),
  hosts,
  clock: () => NOW,
});
const hundred = Array.from({ length: 100 }, (_, i) => `m-${i}`);
const req =
  which === "anti"
    ? antiAffinityRequest(cloud.groupMembers)
    : which === "multi"
      ? typicalRequest(hundred)
      : typicalRequest(["x"]);
for (let i = 0; i < 40; i++) {
  const t = performance.now();
  s.selectDestinations(req, { claim: false });
  if (i > 35) console.log((performance.now() - t).toFixed(1));
}
