#!/usr/bin/env -S npx tsx
// nova-conductor --config-file /etc/nova/nova.conf
import { buildConductor, startService } from "@nova/runtime";

await startService("nova-conductor", async ({ config, transport, logger, openDatabases }) => {
  const dbs = await openDatabases();
  const conductor = buildConductor(config, { transport, dbs, logger });
  return {
    services: [{ name: "nova-conductor", start: () => conductor.start(), stop: () => conductor.stop() }],
    close: () => dbs.close(),
  };
});
