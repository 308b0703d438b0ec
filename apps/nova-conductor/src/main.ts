#!/usr/bin/env -S npx tsx
// nova-conductor --config-file /etc/nova/nova.conf
import { loadServiceGroupDriver, startService } from "@nova/runtime";
import { buildConductor } from "@nova/runtime/conductor";
import { openNovaDatabases } from "@nova/runtime/databases";

await startService("nova-conductor", async ({ config, transport, logger, telemetry }) => {
  const serviceGroup = await loadServiceGroupDriver(config, { logger, baseDir: process.cwd() });
  const dbs = await openNovaDatabases(config, { observer: telemetry.databaseObserver });
  const conductor = buildConductor(config, { transport, dbs, logger, telemetry, serviceGroup });
  return {
    services: [{ name: "nova-conductor", start: () => conductor.start(), stop: () => conductor.stop() }],
    close: async () => {
      await dbs.close();
      await serviceGroup?.close();
    },
  };
});
