import { readFileSync } from "node:fs";
import { InstanceCodec } from "@nova/objects";
import { BuildAbortException } from "@nova/rpcapi";
import { describe, expect, it } from "vitest";
import { decodeInjectedFiles, toDriverFlavor, toDriverInstance, toImageMeta } from "./driver-mapping.js";

// Nova Zed's own build_and_run_instance, as captured on the wire.
const captured = JSON.parse(
  readFileSync(new URL("../test/fixtures/build_and_run_instance.json", import.meta.url), "utf8"),
) as { oslo_message: { args: { instance: unknown; image: Record<string, unknown> } } };

describe("Nova instance to driver inputs", () => {
  it("maps the captured instance: name from the id, size from the flavor, owner and image", () => {
    const instance = InstanceCodec.fromPrimitive(captured.oslo_message.args.instance);
    const di = toDriverInstance(instance, "instance-%08x", { project_name: "admin", user_name: "admin" });
    expect(di).toMatchObject({
      uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb",
      name: "instance-00000009",
      displayName: "trace-1",
      hostname: "trace-1",
      projectId: "admin",
      userId: "admin",
      imageRef: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
      projectName: "admin",
      userName: "admin",
      flavor: {
        flavorId: "1",
        name: "peer.tiny",
        vcpus: 1,
        memoryMb: 64,
        rootGb: 1,
        ephemeralGb: 0,
        swapMb: 0,
        extraSpecs: {},
      },
    });
    expect(di.createdAt).toBe(instance.created_at?.getTime());
  });

  it("maps the captured image dict (Glance's snake_case) and its properties", () => {
    expect(toImageMeta(captured.oslo_message.args.image)).toEqual({
      id: "155d900f-4e14-4e4c-a73d-069cbf4541e6",
      name: "cirros-stub",
      diskFormat: "raw",
      containerFormat: "bare",
      size: 1024,
      checksum: "d41d8cd98f00b204e9800998ecf8427e",
      minDisk: 0,
      minRam: 0,
      properties: {},
    });
    expect(
      toImageMeta({ properties: { hw_disk_bus: "scsi", architecture: "aarch64", os_type: "linux", junk: 1 } })
        .properties,
    ).toEqual({ hwDiskBus: "scsi", hwArchitecture: "aarch64", osType: "linux" });
  });

  it("falls back to the flat size fields, and aborts without any size", () => {
    expect(
      toDriverFlavor({ uuid: "u", vcpus: 2, memory_mb: 256, root_gb: 3, instance_type_id: 5 }),
    ).toMatchObject({
      flavorId: "5",
      vcpus: 2,
      memoryMb: 256,
      rootGb: 3,
    });
    expect(() => toDriverFlavor({ uuid: "u" })).toThrow(BuildAbortException);
  });

  it("decodes Nova's [path, base64] injected files and skips anything else", () => {
    const files = decodeInjectedFiles([["/etc/motd", Buffer.from("hi").toString("base64")], ["bad"], 3]);
    expect(files.map((f) => [f.path, Buffer.from(f.contents).toString()])).toEqual([["/etc/motd", "hi"]]);
  });
});
