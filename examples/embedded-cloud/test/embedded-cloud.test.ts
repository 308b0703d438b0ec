import { DEFAULT_IMAGE_ID } from "@nova/runtime/control-plane";
import { describe, expect, it } from "vitest";
import { bootServers } from "../src/boot-servers.js";
import { cloud } from "./embedded-cloud.setup.js";

const wait = { timeoutMs: 30_000, intervalMs: 50 };

describe("a cloud embedded in a vitest setup file", () => {
  it("boots, lists and deletes a server through @nova/client", async () => {
    const { compute } = cloud();
    const created = await compute.createServer({ name: "app", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    const active = await compute.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(active["OS-EXT-SRV-ATTR:host"]).toMatch(/^fake-[123]$/);
    expect((await compute.listServersDetail()).servers.map((s) => s.id)).toContain(created.id);
    await compute.deleteServer(created.id);
    await compute.waitForServerDeleted(created.id, wait);
  });

  it("has its three hosts up", async () => {
    const hosts = [...cloud().drivers.keys()];
    expect(hosts).toEqual(["fake-1", "fake-2", "fake-3"]);
  });
});

describe("the embedded-cloud program", () => {
  it("boots three servers on its own three hosts and stops", async () => {
    const lines = await bootServers(["web", "db", "cache"]);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^(web|db|cache) on rack[12]-[ab]$/);
  });
});
