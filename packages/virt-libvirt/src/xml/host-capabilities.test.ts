import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cpuInfoJson, parseHostCapabilities, supportedInstances } from "./host-capabilities.js";

// Recorded from this project's libvirtd 9.0 with QEMU 7.2 (virsh capabilities).
const xml = readFileSync(join(import.meta.dirname, "__fixtures__", "capabilities-qemu.xml"), "utf8");

describe("host capabilities", () => {
  it("reads the host CPU and the guests it can run", () => {
    const caps = parseHostCapabilities(xml);
    expect(caps.uuid).toBe("6f805a5c-0d9f-4868-b7fc-e3317307698a");
    expect(caps.cpu).toMatchObject({ arch: "x86_64", model: "kvm64", vendor: "AMD" });
    expect(caps.cpu.topology).toEqual({ sockets: 1, cores: 2, threads: 1 });
    expect(caps.cpu.features).toContain("sse4.2");
    const x86 = caps.guests.find((g) => g.arch === "x86_64");
    expect(x86).toMatchObject({ osType: "hvm", wordsize: 64, emulator: "/usr/bin/qemu-system-x86_64" });
    expect(x86?.machines).toContain("pc-i440fx-7.2");
    expect(x86?.domainTypes).toEqual(["qemu", "kvm"]);
  });

  it("derives Nova's supported_instances and cpu_info", () => {
    const caps = parseHostCapabilities(xml);
    expect(supportedInstances(caps)).toEqual([
      ["i686", "qemu", "hvm"],
      ["i686", "kvm", "hvm"],
      ["x86_64", "qemu", "hvm"],
      ["x86_64", "kvm", "hvm"],
    ]);
    const info = JSON.parse(cpuInfoJson(caps));
    expect(info).toMatchObject({
      arch: "x86_64",
      vendor: "AMD",
      topology: { sockets: 1, cores: 2, threads: 1 },
    });
    expect(info.features).toEqual([...info.features].sort());
  });

  it("refuses a document that is not capabilities", () => {
    expect(() => parseHostCapabilities("<domain/>")).toThrow("not a libvirt capabilities document");
  });
});
