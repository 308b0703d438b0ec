#!/usr/bin/env -S npx tsx
// nova-api --config-file /etc/nova/nova.conf  (images from [glance] image_catalog: state_path/images.json by default)
import { loadImageCatalog, loadServiceGroupDriver, startService } from "@nova/runtime";
import { buildApi } from "@nova/runtime/api";
import { openNovaDatabases } from "@nova/runtime/databases";

await startService("nova-api", async ({ config, transport, logger, telemetry }) => {
  const dbs = await openNovaDatabases(config, { observer: telemetry.databaseObserver });
  const images = await loadImageCatalog(config, { logger, baseDir: process.cwd() });
  // os-services reads liveness from the servicegroup driver nova.conf names (the database's stamps for `db`).
  const serviceGroup = await loadServiceGroupDriver(config, { logger, baseDir: process.cwd() });
  const api = buildApi(config, {
    transport,
    dbs,
    images,
    logger,
    observer: telemetry.apiObserver,
    databaseObserver: telemetry.databaseObserver,
    serviceGroup,
  });
  return {
    services: [api],
    close: async () => {
      await dbs.close();
      await serviceGroup?.close();
    },
  };
});
