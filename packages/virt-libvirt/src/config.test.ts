import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { parseLibvirtDriverConfig } from "./config.js";

describe("parseLibvirtDriverConfig", () => {
  it("applies Nova's defaults", () => {
    expect(parseLibvirtDriverConfig({})).toEqual({
      instancesPath: "/var/lib/nova/instances",
      virtType: "kvm",
      connectionUri: "qemu:///system",
      cpuMode: "host-model",
      cpuModels: [],
      imagesType: "qcow2",
      snapshotsDirectory: "/var/lib/nova/instances/snapshots",
      waitSoftRebootSeconds: 120,
      memStatsPeriodSeconds: 10,
      socketPath: "/var/run/libvirt/libvirt-sock",
      lifecycleEventDelaySeconds: 15,
      vnc: { enabled: true, serverListen: "127.0.0.1" },
    });
  });

  it("reads INI strings: numbers, booleans, lists; qemu defaults to no CPU model", () => {
    const config = parseLibvirtDriverConfig({
      DEFAULT: { instances_path: "/srv/instances" },
      libvirt: {
        virt_type: "qemu",
        images_type: "flat",
        wait_soft_reboot_seconds: "30",
        connection_uri: "qemu:///session",
      },
      vnc: { enabled: "False" },
    });
    expect(config).toMatchObject({
      instancesPath: "/srv/instances",
      virtType: "qemu",
      cpuMode: "none",
      imagesType: "flat",
      snapshotsDirectory: "/srv/instances/snapshots",
      waitSoftRebootSeconds: 30,
      connectionUri: "qemu:///session",
      vnc: { enabled: false },
    });
    expect(
      parseLibvirtDriverConfig({ libvirt: { cpu_mode: "custom", cpu_models: "Haswell-noTSX, Skylake" } })
        .cpuModels,
    ).toEqual(["Haswell-noTSX", "Skylake"]);
  });

  it("names the option that is wrong", () => {
    const issues = (input: unknown) => {
      try {
        parseLibvirtDriverConfig(input);
      } catch (error) {
        if (error instanceof ZodError) return error.issues.map((i) => i.path.join("."));
        throw error;
      }
      return [];
    };
    expect(issues({ libvirt: { virt_type: "xen" } })).toEqual(["libvirt.virt_type"]);
    expect(issues({ libvirt: { wait_soft_reboot_seconds: "-1" } })).toEqual([
      "libvirt.wait_soft_reboot_seconds",
    ]);
    expect(issues({ vnc: { enabled: "maybe" } })).toEqual(["vnc.enabled"]);
    expect(issues({ libvirt: { cpu_mode: "custom" } })).toEqual(["libvirt.cpu_models"]);
  });
});
