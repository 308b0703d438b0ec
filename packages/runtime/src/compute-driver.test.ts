import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNovaConfig } from "@nova/config";
import { FakeDriver } from "@nova/virt";
import { LibvirtDriver } from "@nova/virt-libvirt";
import { afterEach, describe, expect, it } from "vitest";
import { ComputeDriverConfigError, createComputeDriver, libvirtDriverConfig } from "./compute-driver.js";

describe("createComputeDriver", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("builds the driver compute_driver names, and refuses an unknown one naming the option", async () => {
    const fake = createComputeDriver(
      loadNovaConfig({ defaults: { DEFAULT: { compute_driver: "fake.FakeDriver" } } }),
      {
        nodename: "n1",
      },
    );
    expect(fake).toBeInstanceOf(FakeDriver);
    const libvirt = createComputeDriver(
      loadNovaConfig({ defaults: { DEFAULT: { compute_driver: "libvirt.LibvirtDriver" } } }),
      { nodename: "n1" },
    );
    expect(libvirt).toBeInstanceOf(LibvirtDriver);
    await libvirt.close();
    expect(() =>
      createComputeDriver(loadNovaConfig({ defaults: { DEFAULT: { compute_driver: "xen.XenDriver" } } }), {
        nodename: "n1",
      }),
    ).toThrow(ComputeDriverConfigError);
  });

  it("reads [libvirt] and [vnc], with instances_path defaulting to $state_path/instances as Nova's", () => {
    dir = mkdtempSync(join(tmpdir(), "nova-runtime-"));
    const conf = join(dir, "nova.conf");
    writeFileSync(
      conf,
      [
        "[DEFAULT]",
        `state_path = ${dir}`,
        "[libvirt]",
        "virt_type = qemu",
        "socket_path = /run/lv.sock",
        "[vnc]",
        "enabled = false",
        "",
      ].join("\n"),
    );
    const parsed = libvirtDriverConfig(loadNovaConfig({ files: [conf] }));
    expect(parsed).toMatchObject({
      instancesPath: join(dir, "instances"),
      virtType: "qemu",
      socketPath: "/run/lv.sock",
      vnc: { enabled: false },
    });
    const explicit = libvirtDriverConfig(
      loadNovaConfig({ files: [conf], env: { OS_DEFAULT__INSTANCES_PATH: "/srv/instances" } }),
    );
    expect(explicit.instancesPath).toBe("/srv/instances");
  });
});
