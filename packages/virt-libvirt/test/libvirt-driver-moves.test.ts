import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InstanceInvalidStateError, PowerState } from "@nova/virt";
import { testFlavor, testInstance } from "@nova/virt/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseLibvirtDriverConfig } from "../src/config.js";
import { LibvirtDriver } from "../src/driver/libvirt-driver.js";
import { LocalImageSource } from "../src/images/image-source.js";
import { QemuImg } from "../src/images/qemu-img.js";
import { ScriptedLibvirt } from "../src/test/scripted-libvirt.js";

// Resize, cold migration, rescue and snapshot against a scripted libvirt shared by two "hosts" (two drivers with
// their own instances_path on one libvirtd, as the e2e runs them): real files and qemu-img.
let dir: string;
let libvirt: ScriptedLibvirt;
let source: LibvirtDriver;
let dest: LibvirtDriver;

const IMAGE = "3f1c2b8a-0000-4000-8000-000000000001";
const GiB = 1024 ** 3;
const qemuImg = new QemuImg();
const path = (host: string, ...parts: string[]) => join(dir, host, ...parts);

function driverFor(host: string): LibvirtDriver {
  return new LibvirtDriver({
    config: parseLibvirtDriverConfig({
      DEFAULT: { instances_path: path(host) },
      libvirt: { virt_type: "qemu" },
      vnc: { enabled: false },
    }),
    imageSource: new LocalImageSource({
      [IMAGE]: { path: join(dir, "image.qcow2") },
      kernel: { path: join(dir, "vmlinuz") },
    }),
    connect: async () => libvirt,
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-moves-"));
  await qemuImg.create(join(dir, "image.qcow2"), "qcow2", 64 * 1024 * 1024);
  writeFileSync(join(dir, "vmlinuz"), "kernel");
  libvirt = new ScriptedLibvirt();
  source = driverFor("a");
  dest = driverFor("b");
  await source.initHost("a");
  await dest.initHost("b");
});

afterEach(async () => {
  await source.close();
  await dest.close();
  rmSync(dir, { recursive: true, force: true });
});

const imageMeta = { id: IMAGE, properties: { kernelId: "kernel", osCommandLine: "console=ttyS0" } };
const xmlOf = (uuid: string) => libvirt.domains.get(uuid)!.xml;

async function spawned(powerOn = true, rootGb = 1) {
  const instance = testInstance({ flavor: testFlavor({ vcpus: 1, memoryMb: 128, rootGb }) });
  await source.spawn({ instance, imageMeta, powerOn });
  return instance;
}

describe("LibvirtDriver resize and cold migration between two hosts on one libvirtd", () => {
  it("moves the disk aside, grows it on the destination, redefines the domain there; confirm keeps it", async () => {
    const instance = await spawned();
    const bigger = testFlavor({ vcpus: 2, memoryMb: 256, rootGb: 2 });
    const diskInfo = await source.migrateDiskAndPowerOff(instance, "b", bigger);
    expect(await source.getInfo(instance)).toMatchObject({ state: PowerState.SHUTDOWN });
    expect(existsSync(path("a", instance.uuid))).toBe(false);
    expect(readdirSync(path("a", `${instance.uuid}_resize`))).toEqual(
      expect.arrayContaining(["disk", "kernel", "guest.json"]),
    );
    // The source's definition follows its files, so confirm can tell it from the destination's.
    expect(xmlOf(instance.uuid)).toContain(`${instance.uuid}_resize/disk`);

    const resized = { ...instance, flavor: bigger };
    await dest.finishMigration({ instance: resized, diskInfo, resizeInstance: true, powerOn: true });
    expect((await dest.getInfo(resized)).state).toBe(PowerState.RUNNING);
    expect(xmlOf(instance.uuid)).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
    expect(xmlOf(instance.uuid)).toMatch(/<memory[^>]*>262144<\/memory>/);
    expect(xmlOf(instance.uuid)).toContain(path("b", instance.uuid, "disk"));
    expect(xmlOf(instance.uuid)).toContain(`<name>${instance.name}</name>`);
    const disk = await qemuImg.info(path("b", instance.uuid, "disk"));
    expect(disk.virtualSize).toBe(2 * GiB);
    expect(disk.backingFilename).toContain(path("b", "_base"));

    await source.confirmMigration(instance);
    expect(existsSync(path("a", `${instance.uuid}_resize`))).toBe(false);
    expect(await dest.getInfo(resized)).toMatchObject({ state: PowerState.RUNNING });
  });

  it("keeps a stopped guest stopped, and a revert brings the source's guest and disk back", async () => {
    const instance = await spawned(false);
    const diskInfo = await source.migrateDiskAndPowerOff(instance, "b", instance.flavor);
    await dest.finishMigration({ instance, diskInfo, resizeInstance: false, powerOn: false });
    expect((await dest.getInfo(instance)).state).toBe(PowerState.SHUTDOWN);
    // The revert: the destination drops its copy, the source takes the guest back.
    await dest.destroy(instance);
    expect(existsSync(path("b", instance.uuid))).toBe(false);
    await source.finishRevertMigration(instance, true);
    expect((await source.getInfo(instance)).state).toBe(PowerState.RUNNING);
    expect(xmlOf(instance.uuid)).toContain(path("a", instance.uuid, "disk"));
    expect(existsSync(path("a", `${instance.uuid}_resize`))).toBe(false);
  });

  it("undefines the source's own definition at confirm when the destination did not replace it", async () => {
    const instance = await spawned();
    await source.migrateDiskAndPowerOff(instance, "b", instance.flavor);
    await source.confirmMigration(instance);
    expect(await source.instanceExists(instance)).toBe(false);
  });

  it("refuses to shrink the root disk", async () => {
    const instance = await spawned(true, 2);
    const smaller = testFlavor({ rootGb: 1 });
    await expect(source.migrateDiskAndPowerOff(instance, "b", smaller)).rejects.toMatchObject({
      code: "RESIZE_ERROR",
    });
    expect((await source.getInfo(instance)).state).toBe(PowerState.RUNNING);
  });
});

describe("LibvirtDriver rescue and snapshot", () => {
  it("rescues with the rescue disk first and the guest's disk second, and unrescues to the original", async () => {
    const instance = await spawned();
    const original = xmlOf(instance.uuid);
    await source.rescue(instance, { imageMeta });
    const rescued = xmlOf(instance.uuid);
    expect(rescued).toMatch(/disk\.rescue"\/>\s*<target dev="vda"[\s\S]*\/disk"\/>\s*<target dev="vdb"/);
    expect(rescued).toContain("kernel.rescue");
    expect((await source.getInfo(instance)).state).toBe(PowerState.RUNNING);
    await expect(source.rescue(instance, { imageMeta })).rejects.toBeInstanceOf(InstanceInvalidStateError);

    await source.unrescue(instance);
    expect(xmlOf(instance.uuid)).toBe(original);
    expect((await source.getInfo(instance)).state).toBe(PowerState.RUNNING);
    expect(readdirSync(path("a", instance.uuid)).filter((f) => f.includes("rescue"))).toEqual([]);
    await expect(source.unrescue(instance)).rejects.toBeInstanceOf(InstanceInvalidStateError);
  });

  it("snapshots a running guest into a standalone qcow2, saving and restarting it around the copy", async () => {
    const instance = await spawned();
    const steps: string[] = [];
    const result = await source.snapshot(instance, {
      imageId: "snap-1",
      onStep: async (step) => {
        steps.push(step);
      },
    });
    expect(steps).toEqual(["pending_upload", "uploading"]);
    expect(result).toMatchObject({ diskFormat: "qcow2", containerFormat: "bare" });
    expect(result.file).toBe(path("a", "snapshots", "snap-1"));
    const info = await qemuImg.info(result.file!);
    expect(info.backingFilename).toBeUndefined();
    expect(result.size).toBeGreaterThan(0);
    expect(libvirt.calls).toEqual(expect.arrayContaining([`domainManagedSave ${instance.name}`]));
    expect((await source.getInfo(instance)).state).toBe(PowerState.RUNNING);
  });

  it("snapshots a paused guest and a stopped one, each left as it was", async () => {
    const paused = await spawned();
    await source.pause(paused);
    await source.snapshot(paused, { imageId: "snap-p" });
    expect((await source.getInfo(paused)).state).toBe(PowerState.PAUSED);
    const stopped = await spawned(false);
    const before = libvirt.calls.length;
    await source.snapshot(stopped, { imageId: "snap-s" });
    expect(libvirt.calls.slice(before).some((c) => c.startsWith("domainCreate"))).toBe(false);
    expect((await source.getInfo(stopped)).state).toBe(PowerState.SHUTDOWN);
  });
});
