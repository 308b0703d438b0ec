#!/usr/bin/env -S npx tsx
// nova-compute --config-file /etc/nova/nova.conf (no database access: everything goes through the conductor;
// image files for the libvirt driver from [DEFAULT] state_path/images.json when present, as nova-api's catalog)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LocalImageCatalog } from "@nova/api-backend";
import { buildCompute, createComputeDriver, startService } from "@nova/runtime";

await startService("nova-compute", async ({ config, transport, logger }) => {
  const host = config.DEFAULT.host;
  const catalog = join(config.DEFAULT.state_path, "images.json");
  const imageFiles = existsSync(catalog) ? LocalImageCatalog.fromFile(catalog).files : undefined;
  const driver = createComputeDriver(config, { nodename: host, ...(imageFiles ? { imageFiles } : {}) });
  const compute = buildCompute(config, { transport, driver, host, logger });
  return {
    services: [{ name: "nova-compute", start: () => compute.start(), stop: () => compute.stop() }],
    close: () => driver.close(),
  };
});
