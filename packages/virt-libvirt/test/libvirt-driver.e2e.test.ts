import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LifecycleEvent, PowerState } from "@nova/virt";
import { testFlavor, testInstance } from "@nova/virt/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLibvirtDriverConfig } from "../src/config.js";
import { LibvirtDriver } from "../src/driver/libvirt-driver.js";
import { LocalImageSource } from "../src/images/image-source.js";
import { QemuImg } from "../src/images/qemu-img.js";
import { LibvirtClient } from "../src/libvirt-client.js";
import { LibvirtError } from "../src/rpc/libvirt-error.js";
import { VirErrorNumber } from "../src/rpc/vir-error-codes.js";
import { ensureTestGuest, type TestGuest } from "../src/test/test-guest.js";
import { requireLibvirtd } from "./support/libvirtd.js";

// End to end: the driver boots a real QEMU guest (software emulation, virt_type qemu) through libvirtd and
// drives it through every verb. Deadlines below only bound waits for the guest; nothing measures speed.
const BOOT_DEADLINE_MS = 90_000;

let dir: string;
let guestImage: TestGuest;
let driver: LibvirtDriver;
let client: LibvirtClient;
const events: LifecycleEvent[] = [];
const instance = testInstance({
  name: `instance-e2e-${process.pid}-${Date.now().toString(36)}`,
  flavor: testFlavor({ vcpus: 1, memoryMb: 128, rootGb: 0 }),
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

beforeAll(async () => {
  const socketPath = requireLibvirtd();
  guestImage = await ensureTestGuest();
  dir = mkdtempSync(join(tmpdir(), "nova-e2e-"));
  const rootImage = join(dir, "root.qcow2");
  await new QemuImg().create(rootImage, "qcow2", 64 * 1024 * 1024);
  driver = new LibvirtDriver({
    config: parseLibvirtDriverConfig({
      DEFAULT: { instances_path: join(dir, "instances") },
      libvirt: {
        virt_type: "qemu",
        socket_path: socketPath,
        wait_soft_reboot_seconds: 60,
        lifecycle_event_delay_seconds: 0,
      },
      vnc: { enabled: false },
    }),
    imageSource: new LocalImageSource({
      "tiny-root": { path: rootImage, checksum: { algorithm: "sha256", hex: sha256(rootImage) } },
      "tiny-kernel": {
        path: guestImage.kernelPath,
        checksum: { algorithm: "sha256", hex: sha256(guestImage.kernelPath) },
      },
      "tiny-ramdisk": {
        path: guestImage.initrdPath,
        checksum: { algorithm: "sha256", hex: sha256(guestImage.initrdPath) },
      },
    }),
  });
  await driver.initHost("e2e");
  driver.registerEventListener((e) => events.push(e));
  client = await LibvirtClient.connect({ uri: "qemu:///system", socketPath });
}, 120_000);

afterAll(async () => {
  // Whatever happened above, leave no guest behind.
  await driver?.destroy(instance).catch(() => {});
  await driver?.close();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  deadlineMs = BOOT_DEADLINE_MS,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("LibvirtDriver with a real QEMU guest", () => {
  const imageMeta = {
    id: "tiny-root",
    diskFormat: "qcow2",
    properties: {
      kernelId: "tiny-kernel",
      ramdiskId: "tiny-ramdisk",
      osCommandLine: "console=ttyS0 quiet panic=-1",
    },
  };
  // virtlogd truncates the console log each time QEMU starts (append="off"), so after a restart the ready line
  // is there only once the new boot got that far.
  const readyCount = async () =>
    (await driver.getConsoleOutput(instance)).split(guestImage.readyLine).length - 1;
  const state = async () => (await driver.getInfo(instance)).state;
  const domainId = async () => (await driver.getInfo(instance)).internalId;

  it("spawns, and the console shows the guest's ready line", async () => {
    // QEMU user-mode networking: a NIC that needs no bridge or tap on the host.
    const networkInfo = [
      {
        id: crypto.randomUUID(),
        address: "fa:16:3e:00:00:01",
        type: "user" as const,
        network: { id: "net", subnets: [] },
      },
    ];
    await driver.spawn({ instance, imageMeta, networkInfo });
    expect(await state()).toBe(PowerState.RUNNING);
    await waitFor("the ready line", async () => (await readyCount()) >= 1);
    expect(await driver.listInstanceUuids()).toContain(instance.uuid);
    const instanceDir = join(dir, "instances", instance.uuid);
    expect(readdirSync(instanceDir).sort()).toEqual([
      "console.log",
      "disk",
      "guest.json",
      "kernel",
      "libvirt.xml",
      "ramdisk",
    ]);
    expect((await new QemuImg().info(join(instanceDir, "disk"))).backingFilename).toContain("_base");
    const live = await client.domainGetXmlDesc(await client.domainLookupByUuid(instance.uuid));
    expect(live).toContain("<mac address='fa:16:3e:00:00:01'/>");
    await waitFor("the started event", async () =>
      events.some((e) => e.uuid === instance.uuid && e.transition === "started"),
    );
  }, 120_000);

  it("soft-reboots through the guest's ACPI handling", async () => {
    const before = await domainId();
    await driver.reboot(instance, "SOFT");
    expect(await state()).toBe(PowerState.RUNNING);
    expect(await domainId()).not.toBe(before);
    await waitFor("the ready line after the soft reboot", async () => (await readyCount()) >= 1);
  }, 120_000);

  it("powers off gracefully (seen live on the console stream) and on again", async () => {
    let live = "";
    const console = await client.openConsole(
      await client.domainLookupByUuid(instance.uuid),
      (data) => {
        live += data.toString("utf8");
      },
      { force: true },
    );
    await driver.powerOff(instance, { timeoutSeconds: 60, retryIntervalSeconds: 10 });
    expect(await state()).toBe(PowerState.SHUTDOWN);
    expect(await driver.getConsoleOutput(instance)).toContain("power button pressed: powering off");
    await console.done; // the stream ends when QEMU exits
    expect(live).toContain("power button pressed: powering off");
    await waitFor("the stopped event", async () =>
      events.some((e) => e.uuid === instance.uuid && e.transition === "stopped"),
    );
    // libvirt's own answer for pausing a guest that is off, which Nova branches on.
    const domain = await client.domainLookupByUuid(instance.uuid);
    const error = await client.domainSuspend(domain).catch((e: unknown) => e);
    expect(LibvirtError.hasVirCode(error, VirErrorNumber.OPERATION_INVALID)).toBe(true);
    await driver.powerOn(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await waitFor("the ready line after power on", async () => (await readyCount()) >= 1);
  }, 120_000);

  it("hard-reboots", async () => {
    const before = await domainId();
    await driver.reboot(instance, "HARD");
    expect(await state()).toBe(PowerState.RUNNING);
    expect(await domainId()).not.toBe(before);
  }, 60_000);

  it("pauses and unpauses", async () => {
    await driver.pause(instance);
    expect(await state()).toBe(PowerState.PAUSED);
    await driver.unpause(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await waitFor("paused and resumed events", async () => {
      const mine = events.filter((e) => e.uuid === instance.uuid).map((e) => e.transition);
      return mine.includes("paused") && mine.includes("resumed");
    });
  }, 60_000);

  it("suspends to a managed save and resumes from it", async () => {
    await driver.suspend(instance);
    expect(await state()).toBe(PowerState.SUSPENDED);
    expect(await client.domainHasManagedSaveImage(await client.domainLookupByUuid(instance.uuid))).toBe(true);
    await driver.resume(instance);
    expect(await state()).toBe(PowerState.RUNNING);
    await waitFor("suspended event", async () =>
      events.some((e) => e.uuid === instance.uuid && e.transition === "suspended"),
    );
  }, 120_000);

  it("reports the host's resources consistently", async () => {
    const [node] = await driver.getAvailableNodes();
    const res = await driver.getAvailableResource(node!);
    expect(res.hypervisorType).toBe("QEMU");
    expect(res.vcpusUsed).toBeGreaterThanOrEqual(1);
    expect(res.memoryMbUsed).toBeGreaterThan(0);
    expect(res.memoryMbUsed).toBeLessThanOrEqual(res.memoryMb);
    expect(res.supportedInstances).toContainEqual(["x86_64", "qemu", "hvm"]);
  });

  it("destroys the guest and leaves nothing behind", async () => {
    await driver.destroy(instance);
    expect(await driver.instanceExists(instance)).toBe(false);
    expect((await client.listAllDomains()).map((d) => d.uuid)).not.toContain(instance.uuid);
    expect(existsSync(join(dir, "instances", instance.uuid))).toBe(false);
    // Only the shared base images stay, as Nova's image cache keeps them.
    expect(readdirSync(join(dir, "instances"))).toEqual(["_base"]);
  }, 60_000);
});
