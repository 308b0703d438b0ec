import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { driverConformanceChecks, testFlavor, testInstance } from "@nova/virt/test";
import { afterAll, beforeAll, describe, it } from "vitest";
import { parseLibvirtDriverConfig } from "../src/config.js";
import { LibvirtDriver } from "../src/driver/libvirt-driver.js";
import { LocalImageSource } from "../src/images/image-source.js";
import { QemuImg } from "../src/images/qemu-img.js";
import { ensureTestGuest } from "../src/test/test-guest.js";
import { requireLibvirtd } from "./support/libvirtd.js";

// The driver conformance kit of @nova/virt/test against a real libvirtd and QEMU (software emulation), with the
// tiny test guest: the same behaviour checks the fake driver and the example drivers pass.
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
let dir: string;
let createDriver: () => LibvirtDriver;

beforeAll(async () => {
  const socketPath = requireLibvirtd();
  const guest = await ensureTestGuest();
  dir = mkdtempSync(join(tmpdir(), "nova-conformance-"));
  const rootImage = join(dir, "root.qcow2");
  await new QemuImg().create(rootImage, "qcow2", 64 * 1024 * 1024);
  const images = {
    "tiny-root": { path: rootImage, checksum: { algorithm: "sha256" as const, hex: sha256(rootImage) } },
    "tiny-kernel": {
      path: guest.kernelPath,
      checksum: { algorithm: "sha256" as const, hex: sha256(guest.kernelPath) },
    },
    "tiny-ramdisk": {
      path: guest.initrdPath,
      checksum: { algorithm: "sha256" as const, hex: sha256(guest.initrdPath) },
    },
  };
  createDriver = () =>
    new LibvirtDriver({
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
      imageSource: new LocalImageSource(images),
    });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("LibvirtDriver passes the driver conformance kit", () => {
  const checks = driverConformanceChecks({
    nodename: hostname(),
    createDriver: () => createDriver(),
    instance: () =>
      testInstance({
        name: `instance-conf-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
        flavor: testFlavor({ vcpus: 1, memoryMb: 128, rootGb: 0 }),
      }),
    imageMeta: () => ({
      id: "tiny-root",
      diskFormat: "qcow2",
      properties: {
        kernelId: "tiny-kernel",
        ramdiskId: "tiny-ramdisk",
        osCommandLine: "console=ttyS0 quiet panic=-1",
      },
    }),
    settleMs: 90_000,
  });
  for (const check of checks) it(check.name, { timeout: 240_000 }, check.run);
});
