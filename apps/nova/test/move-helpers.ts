// What the process-cluster move tests do to servers: boot one on a named host, post a server action, list a
// server's migrations.
import type { ComputeClient } from "@nova/client";
import { CLUSTER_IMAGE_ID, type ProcessCluster } from "@nova/testing";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are Nova's JSON, pinned by the assertions
type Json = any;

/** Boots an m1.tiny server on `host` (the 2.74 `host`) and returns its id once ACTIVE. */
export async function bootOn(
  cluster: ProcessCluster,
  client: ComputeClient,
  host: string,
  name: string,
): Promise<string> {
  // The scheduler reads new nodes on its next poll: retry until the host takes the boot.
  return cluster.until(
    `${name} ACTIVE on ${host}`,
    async () => {
      const s = await client.with({ microversion: "2.74" }).createServer({
        name,
        flavorRef: "1",
        imageRef: CLUSTER_IMAGE_ID,
        networks: "none",
        host,
      });
      const done = await cluster.until(`${name} to build`, async () => {
        const got = await client.getServer(s.id);
        return got.status === "ACTIVE" || got.status === "ERROR" ? got : undefined;
      });
      if (done.status === "ACTIVE") return s.id;
      await client.deleteServer(s.id);
      await client.waitForServerDeleted(s.id, { timeoutMs: 30_000, intervalMs: 200 });
      return undefined;
    },
    60_000,
  );
}

/** POSTs a server action (`/servers/{id}/action`) at `version`. */
export function serverAction(client: ComputeClient, id: string, body: unknown, version = "2.1") {
  return client.with({ microversion: version }).request("POST", `/servers/${id}/action`, { body });
}

/** The server's migrations, as os-migrations lists them at `version`. */
export async function migrationsOf(client: ComputeClient, id: string, version = "2.80"): Promise<Json[]> {
  const res = await client.with({ microversion: version }).request("GET", "/os-migrations", {
    query: { instance_uuid: id },
  });
  return (res.body as Json).migrations;
}
