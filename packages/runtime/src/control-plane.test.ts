import { fileURLToPath } from "node:url";
import type { ComputeClient } from "@nova/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryServiceGroupDriver } from "./__fixtures__/plugins.js";
import {
  type ControlPlane,
  composeControlPlane,
  createControlPlane,
  DEFAULT_IMAGE_ID,
} from "./control-plane.js";
import { createLogger } from "./logger.js";

const baseDir = fileURLToPath(new URL(".", import.meta.url));
const FIXTURES = "./__fixtures__/plugins.ts";
const wait = { timeoutMs: 20_000, intervalMs: 50 };
const logger = createLogger("control-plane-test", { level: "silent" });

const planes: ControlPlane[] = [];
afterEach(async () => {
  while (planes.length > 0) await planes.pop()!.stop();
});

async function plane(options: Parameters<typeof createControlPlane>[0] = {}): Promise<ControlPlane> {
  const p = await createControlPlane({ logger, baseDir, ...options });
  planes.push(p);
  return p;
}

async function failed(client: ComputeClient, id: string) {
  await client.waitForServerStatus(id, "ERROR", wait);
  return client.getServer(id);
}

describe("createControlPlane", () => {
  it("runs the whole plane in process with three hosts, boots through the client, and stops", async () => {
    const p = await plane({ computes: 3 });
    expect([...p.drivers.keys()]).toEqual(["fake-1", "fake-2", "fake-3"]);
    expect(p.apiUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\.1$/);
    const created = await p.compute.createServer({ name: "one", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    const active = await p.compute.waitForServerStatus(created.id, "ACTIVE", wait);
    expect(active["OS-EXT-SRV-ATTR:host"]).toMatch(/^fake-[123]$/);
    await p.stop();
    await expect(fetch(`${p.apiUrl()}/servers`)).rejects.toThrow();
  });

  it("composes only the parts asked for", async () => {
    // A compute-only plane (its conductor runs elsewhere): no databases opened, no API.
    const p = await composeControlPlane({ logger, services: ["compute"], computes: ["edge-1"] });
    try {
      expect(p.services.map((s) => s.name)).toEqual(["nova-compute edge-1"]);
      expect(p.database).toBeUndefined();
      expect(p.apiUrl()).toBeUndefined();
      expect(() => p.client()).toThrow(/runs no API/);
    } finally {
      await p.close();
    }
  });

  it("fails a request whose custom weigher throws with NoValidHost naming it, and serves the next request", async () => {
    const p = await plane({
      computes: 2,
      config: {
        options: {
          filter_scheduler: { weight_classes: `RAMWeigher, ${FIXTURES}#PickyWeigher` },
        },
      },
    });
    const large = await p.compute.createServer({ name: "large", flavorRef: "4", imageRef: DEFAULT_IMAGE_ID });
    const server = await failed(p.compute, large.id);
    expect(server.fault?.message).toMatch(/^No valid host was found\. /);
    expect(server.fault?.message).toContain(
      "weigher PickyWeigher failed: value threw Error: no rack has room for large servers",
    );
    const tiny = await p.compute.createServer({ name: "tiny", flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
    await p.compute.waitForServerStatus(tiny.id, "ACTIVE", wait);
  });

  it("times out a driver call that hangs: the instance goes to ERROR with a fault naming the driver", async () => {
    const p = await plane({
      computes: 1,
      config: {
        options: {
          DEFAULT: { compute_driver: `${FIXTURES}#HangingDriver`, compute_driver_call_timeout: "1" },
        },
      },
    });
    const created = await p.compute.createServer({
      name: "stuck",
      flavorRef: "1",
      imageRef: DEFAULT_IMAGE_ID,
    });
    const server = await failed(p.compute, created.id);
    // As Nova: the fault is MaxRetriesExceeded, and its details carry each host's failure.
    expect(server.fault?.message).toMatch(/^Exceeded maximum number of retries/);
    expect(server.fault?.details).toContain(
      `compute driver ${FIXTURES}#HangingDriver: spawn did not finish within 1 s`,
    );
  });

  it("loads servicegroup_driver by name: every service reports through it, os-services and the scheduler read liveness from it", async () => {
    const p = await plane({
      computes: 2,
      config: {
        options: {
          DEFAULT: { servicegroup_driver: `${FIXTURES}#MemoryServiceGroupDriver`, report_interval: "1" },
        },
      },
    });
    const driver = MemoryServiceGroupDriver.instances.at(-1)!;
    await vi.waitFor(
      () =>
        expect([...driver.reports.keys()].sort()).toEqual([
          "compute:fake-1",
          "compute:fake-2",
          "conductor:control-plane",
          "scheduler:control-plane",
        ]),
      { timeout: 20_000, interval: 50 },
    );
    expect(driver.joined.size).toBe(4);
    const states = async () =>
      Object.fromEntries((await p.compute.listServices()).map((s) => [`${s.binary}@${s.host}`, s.state]));
    expect(await states()).toEqual({
      "nova-conductor@control-plane": "up",
      "nova-scheduler@control-plane": "up",
      "nova-compute@fake-1": "up",
      "nova-compute@fake-2": "up",
    });
    // The driver alone says fake-2 is down (its database row was stamped when it registered, seconds ago).
    driver.silence("compute:fake-2");
    expect((await states())["nova-compute@fake-2"]).toBe("down");
    // The scheduler follows the driver: both servers land on fake-1 (RAMWeigher would otherwise spread them).
    for (const name of ["a", "b"]) {
      const created = await p.compute.createServer({ name, flavorRef: "1", imageRef: DEFAULT_IMAGE_ID });
      const active = await p.compute.waitForServerStatus(created.id, "ACTIVE", wait);
      expect(active["OS-EXT-SRV-ATTR:host"]).toBe("fake-1");
    }
  });

  it("runs on when the servicegroup driver throws everywhere: services start and serve, and read down", async () => {
    const p = await plane({
      computes: 1,
      config: {
        options: {
          DEFAULT: { servicegroup_driver: `${FIXTURES}#BrokenServiceGroupDriver`, report_interval: "1" },
        },
      },
    });
    const services = await p.compute.listServices();
    expect(services.map((s) => `${s.binary}@${s.host}:${s.state}`).sort()).toEqual([
      "nova-compute@fake-1:down",
      "nova-conductor@control-plane:down",
      "nova-scheduler@control-plane:down",
    ]);
  });
});
