import { fileURLToPath } from "node:url";
import { createLogger } from "@nova/runtime";
import { createControlPlane, DEFAULT_IMAGE_ID } from "@nova/runtime/control-plane";
import { PowerState } from "@nova/virt";
import { driverConformanceChecks, testImageMeta, testInstance } from "@nova/virt/test";
import { describe, expect, it, vi } from "vitest";
import { ProcessDriver } from "../src/process-driver.js";

const here = fileURLToPath(new URL("..", import.meta.url));

describe("ProcessDriver passes the driver conformance kit", () => {
  for (const check of driverConformanceChecks({
    nodename: "proc-1",
    createDriver: () => new ProcessDriver(),
  })) {
    it(check.name, check.run);
  }
});

describe("ProcessDriver", () => {
  it("shows the guest's stdout as its console, and reports a guest that exits on its own as stopped", async () => {
    const driver = new ProcessDriver({
      command: [process.execPath, "-e", 'console.log("hello from " + process.env.NOVA_INSTANCE_NAME)'],
    });
    await driver.initHost("proc-1");
    const stopped = new Promise<string>((resolve) =>
      driver.registerEventListener((e) => e.transition === "stopped" && resolve(e.uuid)),
    );
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    expect(await stopped).toBe(instance.uuid);
    expect((await driver.getInfo(instance)).state).toBe(PowerState.SHUTDOWN);
    expect(await driver.getConsoleOutput(instance)).toBe(`hello from ${instance.name}\n`);
    await driver.close();
  });

  it("runs servers booted through the API when nova.conf names it", async () => {
    const plane = await createControlPlane({
      computes: 1,
      baseDir: here,
      config: { options: { DEFAULT: { compute_driver: "@nova-examples/process-driver#ProcessDriver" } } },
      logger: createLogger("process-driver-test", { level: "silent" }),
    });
    try {
      const s = await plane.compute.createServer({
        name: "proc",
        flavorRef: "1",
        imageRef: DEFAULT_IMAGE_ID,
      });
      await plane.compute.waitForServerStatus(s.id, "ACTIVE", { timeoutMs: 20_000, intervalMs: 50 });
      // The guest prints its login prompt once its process is up, maybe just after the server went ACTIVE.
      await vi.waitFor(
        async () => expect(await plane.compute.getConsoleOutput(s.id)).toMatch(/instance-\w+ login:/),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
    } finally {
      await plane.stop();
    }
  });
});
