#!/usr/bin/env -S npx tsx
// nova-compute --config-file /etc/nova/nova.conf (no database access: everything goes through the conductor;
// image files for the libvirt driver from [DEFAULT] state_path/images.json when present, as nova-api's catalog)
import { LocalImageCatalog } from "@nova/image-catalog";
import { startService } from "@nova/runtime";
import { buildCompute, createComputeDriver } from "@nova/runtime/compute";

await startService("nova-compute", async ({ config, transport, logger }) => {
  const host = config.DEFAULT.host;
  const images = LocalImageCatalog.fromStateDir(config.DEFAULT.state_path);
  const driver = createComputeDriver(config, { nodename: host, imageFiles: images.files });
  const compute = buildCompute(config, { transport, driver, host, logger, images });
  return {
    services: [{ name: "nova-compute", start: () => compute.start(), stop: () => compute.stop() }],
    close: () => driver.close(),
  };
});
