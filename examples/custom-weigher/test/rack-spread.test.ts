import { fileURLToPath } from "node:url";
import { createLogger } from "@nova/runtime";
import { createControlPlane, DEFAULT_IMAGE_ID } from "@nova/runtime/control-plane";
import { FakeDriver } from "@nova/virt";
import { describe, expect, it } from "vitest";

const here = fileURLToPath(new URL("..", import.meta.url));
const RACKS: Record<string, string> = { "fake-1": "r1", "fake-2": "r1", "fake-3": "r2", "fake-4": "r2" };

// Four hosts in two racks; rack r1's hosts have four times the RAM, so Nova's RAMWeigher alone packs r1 first.
// The nova.conf files given override that weight_classes.
async function bootFour(files: string[]): Promise<string[]> {
  const plane = await createControlPlane({
    computes: Object.keys(RACKS),
    config: { files, options: { filter_scheduler: { weight_classes: "RAMWeigher" } } },
    baseDir: here,
    driver: (host) => new FakeDriver({ nodename: host, memoryMb: RACKS[host] === "r1" ? 65536 : 16384 }),
    logger: createLogger("custom-weigher-test", { level: "silent" }),
  });
  try {
    const admin = (path: string, body: unknown) =>
      fetch(`${plane.apiUrl()}${path}`, {
        method: "POST",
        headers: { "X-Auth-Token": "admin:admin", "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ aggregate: { id: number } }>);
    for (const rack of ["r1", "r2"]) {
      const { aggregate } = await admin("/os-aggregates", { aggregate: { name: `rack-${rack}` } });
      await admin(`/os-aggregates/${aggregate.id}/action`, { set_metadata: { metadata: { rack } } });
      for (const host of Object.keys(RACKS).filter((h) => RACKS[h] === rack)) {
        await admin(`/os-aggregates/${aggregate.id}/action`, { add_host: { host } });
      }
    }
    const racks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await plane.compute.createServer({
        name: `s${i}`,
        flavorRef: "1",
        imageRef: DEFAULT_IMAGE_ID,
      });
      const active = await plane.compute.waitForServerStatus(s.id, "ACTIVE", {
        timeoutMs: 20_000,
        intervalMs: 50,
      });
      racks.push(RACKS[String(active["OS-EXT-SRV-ATTR:host"])]!);
    }
    return racks;
  } finally {
    await plane.stop();
  }
}

describe("RackSpreadWeigher, enabled from nova.conf", () => {
  it("alternates racks where Nova's RAMWeigher fills the bigger rack", async () => {
    expect(await bootFour([])).toEqual(["r1", "r1", "r1", "r1"]);
    expect(await bootFour([`${here}nova.conf`])).toEqual(["r1", "r2", "r1", "r2"]);
  });
});
