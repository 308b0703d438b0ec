#!/usr/bin/env -S npx tsx
// nova-scheduler --config-file /etc/nova/nova.conf
import { loadServiceGroupDriver, startService } from "@nova/runtime";
import { openNovaDatabases } from "@nova/runtime/databases";
import { buildScheduler, loadSchedulerPlugins } from "@nova/runtime/scheduler";

await startService("nova-scheduler", async ({ config, transport, logger, telemetry }) => {
  const plugins = await loadSchedulerPlugins(config, { baseDir: process.cwd() });
  const serviceGroup = await loadServiceGroupDriver(config, { logger, baseDir: process.cwd() });
  const dbs = await openNovaDatabases(config, { observer: telemetry.databaseObserver });
  const scheduler = buildScheduler(config, {
    transport,
    dbs,
    logger,
    plugins,
    schedulingObserver: telemetry.schedulingObserver,
    serviceGroup,
  });
  return {
    services: [{ name: "nova-scheduler", start: () => scheduler.start(), stop: () => scheduler.stop() }],
    close: async () => {
      await dbs.close();
      await serviceGroup?.close();
    },
  };
});
