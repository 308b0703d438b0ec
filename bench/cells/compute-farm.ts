// Many nova-computes in one process: the real compute service (fake driver, resource tracker, heartbeats through
// the cell conductor) for every host in BENCH_FARM_HOSTS ("<prefix>:<first>:<count>"), all over the one
// transport of [DEFAULT] transport_url (one AMQP connection, one consume channel). What a rack of real hosts
// would put on the cell's broker and conductor, at a few MB each instead of one process each.
//
//   node --import tsx bench/cells/compute-farm.ts --config-file nova.conf   (started by bench/cells/run.ts)
import { loadServiceGroupDriver, startService } from "@nova/runtime";
import { buildCompute, loadComputeDriver } from "@nova/runtime/compute";

/** How many computes start at once: each start is a few calls to the conductor. */
const STARTING_AT_ONCE = 16;

const spec = process.env.BENCH_FARM_HOSTS ?? "";
const [prefix, first, count] = spec.split(":");
if (!prefix || !Number.isInteger(Number(first)) || !Number.isInteger(Number(count))) {
  console.error(`compute-farm: BENCH_FARM_HOSTS must be <prefix>:<first>:<count>, got "${spec}"`);
  process.exit(2);
}
const hosts = Array.from({ length: Number(count) }, (_, i) => `${prefix}${Number(first) + i}`);

await startService("nova-compute", async ({ config, transport, logger }) => {
  const serviceGroup = await loadServiceGroupDriver(config, { logger, baseDir: process.cwd() });
  // Each compute logs its own start: at thousands of hosts only warnings are worth the CPU, unless the bench
  // keeps whole logs (--log-dir) to follow one boot.
  const quiet = logger.child({});
  quiet.level = process.env.BENCH_FARM_LOG_LEVEL === "info" ? "info" : "warn";
  const computes = await Promise.all(
    hosts.map(async (host) => {
      const driver = await loadComputeDriver(config, {
        nodename: host,
        logger: quiet,
        baseDir: process.cwd(),
      });
      const compute = buildCompute(config, { transport, driver, host, logger: quiet, serviceGroup });
      return { driver, compute };
    }),
  );
  return {
    services: [
      {
        name: `nova-compute x${hosts.length}`,
        start: async () => {
          let next = 0;
          const worker = async () => {
            while (next < computes.length) await computes[next++]!.compute.start();
          };
          await Promise.all(Array.from({ length: STARTING_AT_ONCE }, worker));
          logger.info({ hosts: hosts.length, first: hosts[0], last: hosts.at(-1) }, "compute farm up");
        },
        stop: async () => {
          await Promise.all(computes.map((c) => c.compute.stop()));
        },
      },
    ],
    close: async () => {
      await Promise.all(computes.map((c) => c.driver.close()));
      await serviceGroup?.close();
    },
  };
});
