#!/usr/bin/env -S npx tsx
// nova-scheduler --config-file /etc/nova/nova.conf
import { startService } from "@nova/runtime";
import { openNovaDatabases } from "@nova/runtime/databases";
import { buildScheduler } from "@nova/runtime/scheduler";

await startService("nova-scheduler", async ({ config, transport, logger }) => {
  const dbs = await openNovaDatabases(config);
  const scheduler = buildScheduler(config, { transport, dbs, logger });
  return {
    services: [{ name: "nova-scheduler", start: () => scheduler.start(), stop: () => scheduler.stop() }],
    close: () => dbs.close(),
  };
});
