import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { FakeDriver, SpawnFailedError } from "@nova/virt";
import { testFlavor, testImageMeta, testInstance } from "@nova/virt/test";
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

const configFrom = (env: Record<string, string>) => loadNovaConfig({ env });

describe("createComputeDriver with the fake driver", () => {
  it("sizes the host and the spawn delay from [fake]", async () => {
    const driver = createComputeDriver(
      configFrom({
        OS_FAKE__VCPUS: "4",
        OS_FAKE__MEMORY_MB: "2048",
        OS_FAKE__LOCAL_GB: "30",
        OS_FAKE__SPAWN_DELAY: "0",
      }),
      { nodename: "node-1" },
    );
    expect(driver).toBeInstanceOf(FakeDriver);
    await driver.spawn({
      instance: testInstance({ flavor: testFlavor({ vcpus: 1, memoryMb: 512, rootGb: 5 }) }),
      imageMeta: testImageMeta(),
    });
    expect(await driver.getAvailableResource("node-1")).toMatchObject({
      vcpus: 4,
      memoryMb: 2048,
      localGb: 30,
      vcpusUsed: 1,
      diskAvailableLeast: 25,
    });
  });

  it("fails every spawn whose display name matches spawn_failure_pattern, and only those", async () => {
    const driver = createComputeDriver(configFrom({ OS_FAKE__SPAWN_FAILURE_PATTERN: "^fail-" }), {
      nodename: "n",
    });
    for (const name of ["fail-1", "fail-1", "fail-2"]) {
      const error = await driver
        .spawn({ instance: testInstance({ displayName: name }), imageMeta: testImageMeta() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpawnFailedError);
    }
    await driver.spawn({ instance: testInstance({ displayName: "ok-fail-" }), imageMeta: testImageMeta() });
    expect(await driver.listInstances()).toHaveLength(1);
  });

  it("fails the first spawn_failure_count spawns, then spawns normally", async () => {
    const driver = createComputeDriver(configFrom({ OS_FAKE__SPAWN_FAILURE_COUNT: "2" }), { nodename: "n" });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await driver
          .spawn({ instance: testInstance(), imageMeta: testImageMeta() })
          .then(() => "spawned")
          .catch((e: unknown) => (e instanceof SpawnFailedError ? "failed" : String(e))),
      );
    }
    expect(outcomes).toEqual(["failed", "failed", "spawned"]);
  });

  it("names the option when a [fake] value is invalid", () => {
    const bad = (env: Record<string, string>) => {
      try {
        configFrom(env);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const pattern = bad({ OS_FAKE__SPAWN_FAILURE_PATTERN: "(unclosed" });
    expect(pattern).toBeInstanceOf(ConfigError);
    expect(pattern).toMatchObject({ group: "fake", option: "spawn_failure_pattern" });
    expect((pattern as Error).message).toBe(
      'Invalid value for option spawn_failure_pattern in group [fake]: not a valid regular expression (got "(unclosed")',
    );
    expect(bad({ OS_FAKE__SPAWN_FAILURE_COUNT: "-1" })).toMatchObject({
      option: "spawn_failure_count",
    });
    expect(bad({ OS_FAKE__SPAWN_DELAY: "soon" })).toMatchObject({ option: "spawn_delay" });
  });

  it("delays and fails any operation by Nova's name ([fake] operation_delays / operation_failures)", async () => {
    const driver = createComputeDriver(
      configFrom({
        OS_FAKE__OPERATION_FAILURES: "prep_resize:1,finish_migration:0",
        OS_FAKE__OPERATION_DELAYS: "confirm_migration:0",
      }),
      { nodename: "n" },
    ) as FakeDriver;
    const instance = testInstance();
    await expect(driver.prepResize(instance, testFlavor())).rejects.toMatchObject({
      code: "HYPERVISOR_UNAVAILABLE",
    });
    // Used up after the count: the next one goes through.
    await expect(driver.prepResize(instance, testFlavor())).resolves.toBeUndefined();
    expect(() =>
      createComputeDriver(configFrom({ OS_FAKE__OPERATION_FAILURES: "teleport:1" }), { nodename: "n" }),
    ).toThrow(expect.objectContaining({ group: "fake", option: "operation_failures" }));
    expect(() => configFrom({ OS_FAKE__OPERATION_DELAYS: "spawn:soon" })).toThrow(
      expect.objectContaining({ option: "operation_delays" }),
    );
  });

  it("refuses an unknown compute_driver by name", () => {
    expect(() =>
      createComputeDriver(configFrom({ OS_DEFAULT__COMPUTE_DRIVER: "xen.XenDriver" }), { nodename: "n" }),
    ).toThrow(ComputeDriverConfigError);
    // A ConfigError, so the service exits 2 naming the option.
    expect(() =>
      createComputeDriver(configFrom({ OS_DEFAULT__COMPUTE_DRIVER: "xen.XenDriver" }), { nodename: "n" }),
    ).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", group: "DEFAULT", option: "compute_driver" }),
    );
  });
});

describe("libvirtDriverConfig errors", () => {
  it("name the group and option of the libvirt driver's own groups", () => {
    const config = loadNovaConfig({ texts: ["[libvirt]\nvirt_type = xen\n[vnc]\nenabled = nope\n"] });
    expect(() => libvirtDriverConfig(config)).toThrow(ConfigError);
    expect(() => libvirtDriverConfig(config)).toThrow(
      /^Invalid value for option virt_type in group \[libvirt\]: .*\(got "xen"\)$/,
    );
  });
});
