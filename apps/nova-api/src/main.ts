#!/usr/bin/env -S npx tsx
// nova-api --config-file /etc/nova/nova.conf  (images from [DEFAULT] state_path/images.json when present)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LocalImageCatalog } from "@nova/api-backend";
import { buildApi, startService } from "@nova/runtime";

await startService("nova-api", async ({ config, transport, logger, openDatabases }) => {
  const dbs = await openDatabases();
  const file = join(config.DEFAULT.state_path, "images.json");
  const images = existsSync(file) ? LocalImageCatalog.fromFile(file) : new LocalImageCatalog([]);
  const api = buildApi(config, { transport, dbs, images, logger });
  return { services: [api], close: () => dbs.close() };
});
