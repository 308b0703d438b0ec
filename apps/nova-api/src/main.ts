#!/usr/bin/env -S npx tsx
// nova-api --config-file /etc/nova/nova.conf  (images from [DEFAULT] state_path/images.json when present)
import { LocalImageCatalog } from "@nova/image-catalog";
import { startService } from "@nova/runtime";
import { buildApi } from "@nova/runtime/api";
import { openNovaDatabases } from "@nova/runtime/databases";

await startService("nova-api", async ({ config, transport, logger, telemetry }) => {
  const dbs = await openNovaDatabases(config);
  const images = LocalImageCatalog.fromStateDir(config.DEFAULT.state_path);
  const api = buildApi(config, { transport, dbs, images, logger, observer: telemetry.apiObserver });
  return { services: [api], close: () => dbs.close() };
});
