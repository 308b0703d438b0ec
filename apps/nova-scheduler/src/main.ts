#!/usr/bin/env -S npx tsx
// nova-scheduler --config-file /etc/nova/nova.conf
import { buildScheduler, startService } from "@nova/runtime";

await startService("nova-scheduler", async ({ config, transport, logger, openDatabases }) => {
  const dbs = await openDatabases();
  const scheduler = buildScheduler(config, { transport, dbs, logger });
  return {
    services: [{ name: "nova-scheduler", start: () => scheduler.start(), stop: () => scheduler.stop() }],
    close: () => dbs.close(),
  };
});
