#!/usr/bin/env -S npx tsx
// nova-compute --config-file /etc/nova/nova.conf (no database access: everything goes through the conductor)
import { buildCompute, createComputeDriver, startService } from "@nova/runtime";

await startService("nova-compute", async ({ config, transport, logger }) => {
  const host = config.DEFAULT.host;
  const driver = createComputeDriver(config, { nodename: host });
  const compute = buildCompute(config, { transport, driver, host, logger });
  return {
    services: [{ name: "nova-compute", start: () => compute.start(), stop: () => compute.stop() }],
    close: () => driver.close(),
  };
});
