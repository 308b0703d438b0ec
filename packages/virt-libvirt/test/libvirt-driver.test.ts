import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@nova/core/test";
import {
  HypervisorUnavailableError,
  ImageNotFoundError,
  InstanceExistsError,
  InstanceInvalidStateError,
  InstanceNotFoundError,
  type LifecycleEvent,
  PowerState,
  SpawnFailedError,
} from "@nova/virt";
import { testFlavor, testInstance } from "@nova/virt/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLibvirtDriverConfig } from "../src/config.js";
import { LibvirtDriver } from "../src/driver/libvirt-driver.js";
import { LocalImageSource } from "../src/images/image-source.js";
import { QemuImg } from "../src/images/qemu-img.js";
import { VirErrorNumber } from "../src/rpc/vir-error-codes.js";
import { ScriptedLibvirt } from "../src/test/scripted-libvirt.js";

// Driver logic against a scripted libvirt: real files and qemu-img, libvirt played in memory, time injected.
let dir: string;
let libvirt: ScriptedLibvirt;
let clock: FakeClock;
let connects: number;
let driver: LibvirtDriver;
let events: LifecycleEvent[];

const IMAGE = "3f1c2b8a-0000-4000-8000-000000000001";

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-driver-"));
  await new QemuImg().create(join(dir, "image.qcow2"), "qcow2", 64 * 1024 * 1024);
  writeFileSync(join(dir, "vmlinuz"), "kernel");
  libvirt = new ScriptedLibvirt();
  clock = new FakeClock(1_000_000);
  connects = 0;
  driver = new LibvirtDriver({
    config: parseLibvirtDriverConfig({
      DEFAULT: { instances_path: join(dir, "instances") },
      libvirt: { virt_type: "qemu", wait_soft_reboot_seconds: "5" },
    }),
    imageSource: new LocalImageSource({
      [IMAGE]: { path: join(dir, "image.qcow2") },
      kernel: { path: join(dir, "vmlinuz") },
    }),
    connect: async () => {
      connects += 1;
      return libvirt;
    },
    clock,
  });
  await driver.initHost("compute-1");
  events = [];
  driver.registerEventListener((e) => events.push(e));
});

afterEach(async () => {
  await driver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs an operation that waits on the clock, moving time one second at a time until it settles. */
async function drive<T>(operation: Promise<T>): Promise<T> {
  let settled = false;
  const done = operation.finally(() => {
    settled = true;
  });
  done.catch(() => {});
  while (!settled) {
    await Promise.race([clock.whenPending(), done.catch(() => {})]);
    if (!settled) await clock.advance(1000);
  }
  return done;
}

async function spawned(overrides: Parameters<typeof testInstance>[0] = {}) {
  const instance = testInstance(overrides);
  await driver.spawn({ instance, imageMeta: { id: IMAGE, properties: {} } });
  return instance;
}

const state = async (i: { uuid: string; name: string }) => (await driver.getInfo(i)).state;

describe("LibvirtDriver spawn and destroy", () => {
  it("builds the disk, defines the guest from XML and starts it", async () => {
    const instance = await spawned({ flavor: testFlavor({ vcpus: 2, memoryMb: 256, rootGb: 1 }) });
    const instanceDir = join(dir, "instances", instance.uuid);
    const xml = readFileSync(join(instanceDir, "libvirt.xml"), "utf8");
    expect(xml).toContain(`<uuid>${instance.uuid}</uuid>`);
    expect(xml).toContain('<domain type="qemu">');
    expect(xml).toContain(`<source file="${instanceDir}/disk"/>`);
    expect(xml).toContain(`<log file="${instanceDir}/console.log" append="off"/>`);
    expect(libvirt.domains.get(instance.uuid)?.xml).toBe(xml);
    expect(await driver.getInfo(instance)).toMatchObject({
      state: PowerState.RUNNING,
      vcpus: 2,
      maxMemoryKb: 262144,
    });
    expect(await driver.listInstances()).toEqual([instance.name]);
    expect(await driver.listInstanceUuids()).toEqual([instance.uuid]);
    expect(events.map((e) => e.transition)).toEqual(["started"]);
  });

  it("boots AMI-style images from their kernel", async () => {
    const instance = testInstance();
    await driver.spawn({
      instance,
      imageMeta: { id: IMAGE, properties: { kernelId: "kernel", osCommandLine: "console=ttyS0" } },
    });
    const instanceDir = join(dir, "instances", instance.uuid);
    expect(readFileSync(join(instanceDir, "kernel"), "utf8")).toBe("kernel");
    expect(libvirt.domains.get(instance.uuid)?.xml).toContain(`<kernel>${instanceDir}/kernel</kernel>`);
  });

  it("leaves a guest defined but off when powerOn is false", async () => {
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: { id: IMAGE, properties: {} }, powerOn: false });
    expect(await state(instance)).toBe(PowerState.SHUTDOWN);
  });

  it("refuses to spawn a guest that already exists", async () => {
    const instance = await spawned();
    await expect(driver.spawn({ instance, imageMeta: { id: IMAGE, properties: {} } })).rejects.toBeInstanceOf(
      InstanceExistsError,
    );
  });

  it("cleans up and raises SpawnFailed (with libvirt's code) when the start fails", async () => {
    libvirt.failNext("domainCreate", ScriptedLibvirt.error(VirErrorNumber.OPERATION_FAILED, "qemu died"));
    const instance = testInstance();
    const error = await driver
      .spawn({ instance, imageMeta: { id: IMAGE, properties: {} } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnFailedError);
    expect((error as SpawnFailedError).reason).toBe("VIR_ERR_OPERATION_FAILED: qemu died");
    expect(libvirt.domains.size).toBe(0);
    expect(existsSync(join(dir, "instances", instance.uuid))).toBe(false);
  });

  it("passes image errors through and leaves nothing behind", async () => {
    const instance = testInstance();
    await expect(
      driver.spawn({ instance, imageMeta: { id: "missing", properties: {} } }),
    ).rejects.toBeInstanceOf(ImageNotFoundError);
    expect(existsSync(join(dir, "instances", instance.uuid))).toBe(false);
    expect(libvirt.calls).not.toContain("domainDefineXml");
  });

  it("destroys: stops, undefines and removes the files; again is a no-op", async () => {
    const instance = await spawned();
    await driver.destroy(instance);
    expect(libvirt.calls.slice(-2)).toEqual([
      `domainDestroy ${instance.name}`,
      `domainUndefine ${instance.name}`,
    ]);
    expect(libvirt.domains.size).toBe(0);
    expect(existsSync(join(dir, "instances", instance.uuid))).toBe(false);
    await driver.destroy(instance);
    expect(await driver.instanceExists(instance)).toBe(false);
  });

  it("cleans the image cache of bases no instance uses", async () => {
    const instance = await spawned();
    expect(await driver.manageImageCache(0)).toEqual([]); // still backing the instance's disk
    await driver.destroy(instance);
    const removed = await driver.manageImageCache(0);
    expect(removed).toHaveLength(1);
    expect(readdirSync(join(dir, "instances", "_base"))).toEqual([]);
  });

  it("keeps the disks when destroyDisks is false, and destroys a stopped guest", async () => {
    const instance = await spawned();
    await driver.powerOff(instance);
    await driver.destroy(instance, { destroyDisks: false });
    expect(libvirt.domains.size).toBe(0);
    expect(existsSync(join(dir, "instances", instance.uuid, "disk"))).toBe(true);
  });
});

describe("LibvirtDriver power verbs", () => {
  it("powers off gracefully when the guest obeys within the timeout", async () => {
    const instance = await spawned();
    libvirt.setShutdownBehaviour(instance.uuid, { offAfterPolls: 3 });
    await drive(driver.powerOff(instance, { timeoutSeconds: 60, retryIntervalSeconds: 10 }));
    expect(await state(instance)).toBe(PowerState.SHUTDOWN);
    expect(libvirt.calls.filter((c) => c.startsWith("domainDestroy"))).toEqual([]);
  });

  it("re-sends the shutdown every retry interval, then pulls the plug at the timeout", async () => {
    const instance = await spawned();
    libvirt.setShutdownBehaviour(instance.uuid, "ignore");
    const start = clock.now();
    await drive(driver.powerOff(instance, { timeoutSeconds: 7, retryIntervalSeconds: 3 }));
    expect(clock.now() - start).toBe(7000);
    expect(libvirt.calls.filter((c) => c.startsWith("domainShutdown"))).toHaveLength(3); // t=0, 3, 6
    expect(libvirt.calls.filter((c) => c.startsWith("domainDestroy"))).toHaveLength(1);
    expect(await state(instance)).toBe(PowerState.SHUTDOWN);
  });

  it("powers off at once with no timeout, and tolerates an already stopped guest", async () => {
    const instance = await spawned();
    await driver.powerOff(instance);
    expect(libvirt.calls.filter((c) => c.startsWith("domainShutdown"))).toEqual([]);
    await driver.powerOff(instance, { timeoutSeconds: 30 });
    expect(await state(instance)).toBe(PowerState.SHUTDOWN);
  });

  it("soft-reboots by shutting down and starting again", async () => {
    const instance = await spawned();
    libvirt.setShutdownBehaviour(instance.uuid, { offAfterPolls: 2 });
    await drive(driver.reboot(instance, "SOFT"));
    const tail = libvirt.calls.filter((c) => /domain(Shutdown|Destroy|Create)/.test(c));
    expect(tail).toEqual([
      `domainCreate ${instance.name}`,
      `domainShutdown ${instance.name}`,
      `domainCreate ${instance.name}`,
    ]);
    expect(await state(instance)).toBe(PowerState.RUNNING);
  });

  it("falls back to a hard reboot when the guest ignores the soft one", async () => {
    const instance = await spawned();
    libvirt.setShutdownBehaviour(instance.uuid, "ignore");
    const start = clock.now();
    await drive(driver.reboot(instance, "SOFT"));
    expect(clock.now() - start).toBe(5000); // wait_soft_reboot_seconds
    expect(libvirt.calls.filter((c) => /domain(Destroy|Create)/.test(c)).slice(-2)).toEqual([
      `domainDestroy ${instance.name}`,
      `domainCreate ${instance.name}`,
    ]);
  });

  it("hard-reboots a stopped guest into running", async () => {
    const instance = await spawned();
    await driver.powerOff(instance);
    await driver.reboot(instance, "HARD");
    expect(await state(instance)).toBe(PowerState.RUNNING);
  });

  it("pauses, unpauses, suspends and resumes, refusing the wrong states", async () => {
    const instance = await spawned();
    await driver.pause(instance);
    expect(await state(instance)).toBe(PowerState.PAUSED);
    const error = await driver.pause(instance).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceInvalidStateError);
    expect(error).toMatchObject({ state: PowerState.PAUSED, method: "pause" });
    await driver.unpause(instance);
    await driver.suspend(instance);
    expect(await state(instance)).toBe(PowerState.SUSPENDED);
    await expect(driver.unpause(instance)).rejects.toBeInstanceOf(InstanceInvalidStateError);
    await driver.resume(instance);
    expect(await state(instance)).toBe(PowerState.RUNNING);
    expect(libvirt.domains.get(instance.uuid)?.managedSave).toBe(false);
    await driver.powerOff(instance);
    await driver.powerOn(instance);
    await driver.powerOn(instance); // already running: nothing to do
    expect(await state(instance)).toBe(PowerState.RUNNING);
  });

  it("maps libvirt's OPERATION_INVALID raced in between to InstanceInvalidState", async () => {
    const instance = await spawned();
    libvirt.failNext(
      "domainSuspend",
      ScriptedLibvirt.error(VirErrorNumber.OPERATION_INVALID, "domain is not running"),
    );
    const error = await driver.pause(instance).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceInvalidStateError);
    expect((error as Error).cause).toMatchObject({ virCodeName: "VIR_ERR_OPERATION_INVALID" });
  });

  it("raises InstanceNotFound for guests libvirt does not have", async () => {
    const ghost = testInstance();
    for (const call of [
      () => driver.getInfo(ghost),
      () => driver.pause(ghost),
      () => driver.powerOn(ghost),
      () => driver.reboot(ghost, "HARD"),
      () => driver.getConsoleOutput(ghost),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(InstanceNotFoundError);
    }
    await driver.powerOff(ghost, { timeoutSeconds: 5 }).catch((e: unknown) => {
      expect(e).toBeInstanceOf(InstanceNotFoundError);
    });
  });
});

describe("LibvirtDriver host and events", () => {
  it("reports memory from one source and sums vcpus of running guests", async () => {
    await spawned({ flavor: testFlavor({ vcpus: 2 }) });
    const off = testInstance({ flavor: testFlavor({ vcpus: 4 }) });
    await driver.spawn({ instance: off, imageMeta: { id: IMAGE, properties: {} }, powerOn: false });
    const res = await driver.getAvailableResource("scripted-host");
    expect(res).toMatchObject({
      vcpus: 8,
      vcpusUsed: 2,
      memoryMb: 16384, // node memory stats total, not node info (which says ~7812)
      memoryMbUsed: 16384 - 8192 - 1024 - 2048,
      hypervisorType: "QEMU",
      hypervisorVersion: 7_002_000,
      hypervisorHostname: "scripted-host",
      supportedInstances: [
        ["x86_64", "qemu", "hvm"],
        ["x86_64", "kvm", "hvm"],
      ],
    });
    expect(JSON.parse(res.cpuInfo)).toMatchObject({
      model: "Skylake-Client",
      topology: { cores: 4, threads: 2 },
    });
    expect(res.localGb).toBeGreaterThan(0);
    expect(res.diskAvailableLeast).toBeLessThanOrEqual(res.localGb - res.localGbUsed);
    expect(await driver.getAvailableNodes()).toEqual(["scripted-host"]);
    await expect(driver.getAvailableResource("other")).rejects.toBeInstanceOf(HypervisorUnavailableError);
  });

  it("holds a stopped event back and drops it when the guest starts again (a reboot)", async () => {
    const instance = await spawned();
    events.length = 0;
    libvirt.setShutdownBehaviour(instance.uuid, { offAfterPolls: 0 });
    await drive(driver.reboot(instance, "SOFT"));
    await clock.advance(20_000);
    expect(events.map((e) => e.transition)).toEqual(["started"]);
  });

  it("forwards a guest stopping by itself after the delay", async () => {
    const instance = await spawned();
    events.length = 0;
    libvirt.guestStops(instance.uuid);
    expect(events).toEqual([]);
    await clock.advance(14_999);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual([{ uuid: instance.uuid, transition: "stopped", timestamp: clock.now() }]);
    await driver.pause(instance).catch(() => {});
    await driver.powerOn(instance);
    await driver.pause(instance);
    await driver.suspend(instance);
    expect(events.map((e) => e.transition)).toEqual(["stopped", "started", "paused", "suspended"]);
  });

  it("reconnects after libvirtd drops the connection, and says when it cannot", async () => {
    const instance = await spawned();
    libvirt.drop();
    const fresh = new ScriptedLibvirt();
    const old = libvirt;
    libvirt = fresh;
    await expect(driver.getInfo(instance)).rejects.toBeInstanceOf(InstanceNotFoundError); // fresh daemon has no guest
    expect(connects).toBe(2);
    expect(old.closed).toBe(true);
    fresh.drop();
    const broken = new LibvirtDriver({
      config: parseLibvirtDriverConfig({ DEFAULT: { instances_path: dir } }),
      imageSource: new LocalImageSource({}),
      connect: async () => {
        throw new Error("no socket");
      },
    });
    await expect(broken.listInstances()).rejects.toBeInstanceOf(HypervisorUnavailableError);
  });

  it("reads the tail of the console log", async () => {
    const instance = await spawned();
    expect(await driver.getConsoleOutput(instance)).toBe("");
    const log = join(dir, "instances", instance.uuid, "console.log");
    writeFileSync(log, `${"x".repeat(150 * 1024)}login:`);
    const output = await driver.getConsoleOutput(instance);
    expect(output.length).toBe(100 * 1024);
    expect(output.endsWith("xlogin:")).toBe(true);
  });

  it("refuses a virt_type the host does not offer", async () => {
    libvirt.capabilities = libvirt.capabilities.replace("<domain type='kvm'/>", "");
    const kvm = new LibvirtDriver({
      config: parseLibvirtDriverConfig({ DEFAULT: { instances_path: dir }, libvirt: { virt_type: "kvm" } }),
      imageSource: new LocalImageSource({}),
      connect: async () => libvirt,
    });
    await expect(kvm.initHost("h")).rejects.toThrow(
      "virt_type kvm is not available on this host (libvirt offers: qemu)",
    );
  });
});
