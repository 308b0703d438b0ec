#!/usr/bin/env -S npx tsx
// nova-conductor --config-file /etc/nova/nova.conf
import { startService } from "@nova/runtime";
import { buildConductor } from "@nova/runtime/conductor";
import { openNovaDatabases } from "@nova/runtime/databases";

await startService("nova-conductor", async ({ config, transport, logger, telemetry }) => {
  const dbs = await openNovaDatabases(config, { observer: telemetry.databaseObserver });
  const conductor = buildConductor(config, { transport, dbs, logger, telemetry });
  return {
    services: [{ name: "nova-conductor", start: () => conductor.start(), stop: () => conductor.stop() }],
    close: () => dbs.close(),
  };
});
