import { createControlPlane, DEFAULT_IMAGE_ID } from "@nova/runtime/control-plane";

/** Embeds a cloud of three hosts, boots `names` through @nova/client, and stops it: "<name> on <host>" each. */
export async function bootServers(names: readonly string[]): Promise<string[]> {
  const cloud = await createControlPlane({ computes: ["rack1-a", "rack1-b", "rack2-a"] });
  try {
    const created = await Promise.all(
      names.map((name) => cloud.compute.createServer({ name, flavorRef: "1", imageRef: DEFAULT_IMAGE_ID })),
    );
    const lines: string[] = [];
    for (const { id } of created) {
      const server = await cloud.compute.waitForServerStatus(id, "ACTIVE", { timeoutMs: 30_000 });
      lines.push(`${server.name} on ${server["OS-EXT-SRV-ATTR:host"]}`);
    }
    return lines;
  } finally {
    await cloud.stop();
  }
}
