#!/usr/bin/env -S npx tsx
// nova-compute --config-file /etc/nova/nova.conf (no database access: everything goes through the conductor;
// image files for the libvirt driver from [DEFAULT] state_path/images.json when present, as nova-api's catalog)
import { loadImageCatalog, loadServiceGroupDriver, startService } from "@nova/runtime";
import { buildCompute, loadComputeDriver } from "@nova/runtime/compute";

await startService("nova-compute", async ({ config, transport, logger, telemetry }) => {
  const host = config.DEFAULT.host;
  const images = await loadImageCatalog(config, { logger, baseDir: process.cwd() });
  const imageFiles = images.files;
  const driver = await loadComputeDriver(config, {
    nodename: host,
    imageFiles,
    images,
    logger,
    baseDir: process.cwd(),
  });
  const serviceGroup = await loadServiceGroupDriver(config, { logger, baseDir: process.cwd() });
  const compute = buildCompute(config, {
    transport,
    driver,
    host,
    logger,
    images,
    activity: telemetry.activityObserver,
    serviceGroup,
  });
  return {
    services: [{ name: "nova-compute", start: () => compute.start(), stop: () => compute.stop() }],
    close: async () => {
      await driver.close();
      await serviceGroup?.close();
    },
  };
});
