#!/usr/bin/env -S npx tsx
// nova-api --config-file /etc/nova/nova.conf  (images from [glance] image_catalog: state_path/images.json by default)
import { loadImageCatalog, startService } from "@nova/runtime";
import { buildApi } from "@nova/runtime/api";
import { openNovaDatabases } from "@nova/runtime/databases";

await startService("nova-api", async ({ config, transport, logger, telemetry }) => {
  const dbs = await openNovaDatabases(config, { observer: telemetry.databaseObserver });
  const images = await loadImageCatalog(config, { logger, baseDir: process.cwd() });
  const api = buildApi(config, { transport, dbs, images, logger, observer: telemetry.apiObserver });
  return { services: [api], close: () => dbs.close() };
});
