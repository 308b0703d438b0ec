import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DriverInstance, ImageMeta, NetworkInfo } from "@nova/virt";
import { describe, expect, it } from "vitest";
import { buildDomainXml } from "./domain-xml.js";
import { designGuest, type GuestDesignInput } from "./guest-designer.js";
import { el, renderXml } from "./xml-element.js";

const fixtures = join(import.meta.dirname, "__fixtures__");

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it (review the diff before committing). */
function expectGolden(name: string, actual: string): void {
  const path = join(fixtures, name);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

const instance: DriverInstance = {
  uuid: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  name: "instance-0000002a",
  displayName: "web <1> & co",
  projectId: "8c1b7a5e2f3d4c6b9a0e1d2c3b4a5f6e",
  projectName: "demo",
  userId: "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b",
  userName: "alice",
  flavor: {
    flavorId: "2",
    name: "m1.small",
    vcpus: 2,
    memoryMb: 2048,
    rootGb: 20,
    ephemeralGb: 0,
    swapMb: 0,
    extraSpecs: {},
  },
  createdAt: Date.UTC(2026, 10, 27, 8, 30, 5),
};

const networkInfo: NetworkInfo = [
  {
    id: "7a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
    address: "fa:16:3e:11:22:33",
    type: "bridge",
    devname: "tap7a9b8c7d-6e",
    network: {
      id: "net-1",
      bridge: "br100",
      mtu: 1450,
      subnets: [{ cidr: "10.0.0.0/24", gateway: "10.0.0.1", ips: [{ address: "10.0.0.5", version: 4 }] }],
    },
  },
];

function input(overrides: Partial<GuestDesignInput>): GuestDesignInput {
  const imageMeta: ImageMeta = {
    id: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
    diskFormat: "qcow2",
    properties: {},
  };
  return {
    instance,
    imageMeta,
    networkInfo,
    virtType: "kvm",
    cpuMode: "host-model",
    paths: {
      disk: "/var/lib/nova/instances/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/disk",
      diskFormat: "qcow2",
      consoleLog: "/var/lib/nova/instances/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/console.log",
    },
    diskCache: "none",
    graphics: { type: "vnc", listen: "127.0.0.1" },
    memStatsPeriodSeconds: 10,
    packageVersion: "0.1.0",
    now: 0,
    ...overrides,
  };
}

describe("domain XML", () => {
  it("renders a KVM guest on a bridge with VNC (golden)", () => {
    expectGolden("domain-kvm-bridge.xml", buildDomainXml(designGuest(input({}))));
  });

  it("renders a QEMU (TCG) guest booted from a kernel, without graphics (golden)", () => {
    const dir = "/var/lib/nova/instances/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const config = designGuest(
      input({
        virtType: "qemu",
        cpuMode: "none",
        networkInfo: [],
        imageMeta: {
          id: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
          diskFormat: "qcow2",
          properties: {
            kernelId: "k",
            ramdiskId: "r",
            osCommandLine: "console=ttyS0 quiet",
            hwDiskBus: "scsi",
          },
        },
        paths: {
          disk: `${dir}/disk`,
          diskFormat: "raw",
          kernel: `${dir}/kernel`,
          ramdisk: `${dir}/ramdisk`,
          consoleLog: `${dir}/console.log`,
        },
        diskCache: "writethrough",
        graphics: undefined,
        memStatsPeriodSeconds: 0,
      }),
    );
    expectGolden("domain-qemu-kernel.xml", buildDomainXml(config));
  });

  it("follows the image: Windows clock, NIC model, custom CPU model", () => {
    const xml = buildDomainXml(
      designGuest(
        input({
          cpuMode: "custom",
          cpuModel: "Haswell-noTSX",
          imageMeta: {
            id: "i",
            properties: { osType: "windows", hwVifModel: "e1000", hwMachineType: "q35" },
          },
        }),
      ),
    );
    expect(xml).toContain('<clock offset="localtime">');
    expect(xml).toContain('<model type="e1000"/>');
    expect(xml).toContain('<type machine="q35">hvm</type>');
    expect(xml).toContain(
      '<cpu mode="custom" match="exact">\n    <model fallback="allow">Haswell-noTSX</model>',
    );
  });

  it("escapes text and attributes and drops undefined attributes", () => {
    expect(renderXml(el("a", { x: 'q"<', y: undefined }, "1 & 2"))).toBe('<a x="q&quot;&lt;">1 &amp; 2</a>');
  });
});
