import { instanceFaultFromError } from "@nova/objects";
import {
  BuildAbortException,
  InstanceInvalidState,
  InstanceNotFound,
  RescheduledException,
} from "@nova/rpcapi";
import {
  ComputeResourcesUnavailableError,
  HypervisorUnavailableError,
  ImageNotFoundError,
  InstanceNotFoundError,
  SpawnFailedError,
} from "@nova/virt";
import { describe, expect, it } from "vitest";
import { classifySpawnFailure } from "./build-failure.js";
import { parseComputeConfig, resourceIntervalMs } from "./config.js";
import { DriverOperationFailed, fromDriverError } from "./driver-failure.js";
import { InstanceLocks } from "./instance-locks.js";

const U = "11111111-2222-4333-8444-555555555555";

describe("classifySpawnFailure", () => {
  it("reschedules what another host may not suffer and aborts what none would fix", () => {
    for (const e of [
      new SpawnFailedError(U, "qemu died"),
      new ComputeResourcesUnavailableError("no memory"),
      new HypervisorUnavailableError("libvirtd down"),
      new Error("anything else"),
    ]) {
      expect(classifySpawnFailure(e, U)).toBeInstanceOf(RescheduledException);
    }
    expect(classifySpawnFailure(new ImageNotFoundError("img"), U)).toBeInstanceOf(BuildAbortException);
    expect(classifySpawnFailure(new InstanceNotFoundError(U), U)).toBeInstanceOf(InstanceNotFound);
    const r = classifySpawnFailure(new SpawnFailedError(U, "qemu died"), U);
    expect(r.kwargs).toMatchObject({ instance_uuid: U });
    expect(r.message).toBe(
      `Build of instance ${U} was re-scheduled: Failed to spawn instance ${U}: qemu died`,
    );
  });
});

// The fault rule lives in @nova/objects; these check it with nova-compute's own exceptions.
describe("instanceFaultFromError with compute's exceptions", () => {
  it("keeps a Nova exception's message and code, without details", () => {
    const f = instanceFaultFromError(
      new InstanceInvalidState({ instance_uuid: U, attr: "vm_state", state: "stopped", method: "pause" }),
      U,
      "cpu-1",
    );
    expect(f).toEqual({
      instance_uuid: U,
      code: 400,
      message: `Instance ${U} in vm_state stopped. Cannot pause while the instance is in this state.`,
      details: "",
      host: "cpu-1",
    });
  });

  it("shows only the class name of a foreign error (its text may hold secrets), with the stack as details", () => {
    const f = instanceFaultFromError(new TypeError("password=hunter2"), U, "cpu-1");
    expect(f.message).toBe("TypeError");
    expect(f.code).toBe(500);
    expect(f.details).toContain("hunter2");
  });

  it("truncates messages to Nova's 255 characters", () => {
    const long = new DriverOperationFailed("InstanceRebootFailure", "x".repeat(400));
    expect(instanceFaultFromError(long, U, "h").message).toHaveLength(255);
  });
});

describe("fromDriverError", () => {
  it("names driver failures after Nova's exceptions", () => {
    const e = fromDriverError(new HypervisorUnavailableError("gone"), U) as DriverOperationFailed;
    expect(e).toBeInstanceOf(DriverOperationFailed);
    expect([e.name, e.code, e.module]).toEqual([
      "HypervisorUnavailable",
      "HypervisorUnavailable",
      "nova.exception",
    ]);
    expect(fromDriverError(new InstanceNotFoundError(U), U)).toBeInstanceOf(InstanceNotFound);
    const plain = new Error("not a driver error");
    expect(fromDriverError(plain, U)).toBe(plain);
  });
});

describe("InstanceLocks", () => {
  it("runs operations on one instance one after the other, and others alongside", async () => {
    const locks = new InstanceLocks();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = locks.run("a", async () => {
      log.push("a1 start");
      await new Promise<void>((r) => {
        releaseFirst = r;
      });
      log.push("a1 end");
    });
    const second = locks.run("a", async () => {
      log.push("a2");
    });
    const other = locks.run("b", async () => {
      log.push("b");
    });
    await other;
    expect(log).toEqual(["a1 start", "b"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(["a1 start", "b", "a1 end", "a2"]);
    expect(locks.busy).toBe(0);
  });

  it("a failed operation does not block the next", async () => {
    const locks = new InstanceLocks();
    await expect(locks.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(locks.run("a", async () => 7)).resolves.toBe(7);
  });
});

describe("configuration", () => {
  it("has Nova's defaults", () => {
    const c = parseComputeConfig({});
    expect(c).toMatchObject({
      initial_cpu_allocation_ratio: 16,
      initial_ram_allocation_ratio: 1.5,
      initial_disk_allocation_ratio: 1,
      cpu_allocation_ratio: null,
      shutdown_timeout: 60,
      shutdown_retry_interval: 10,
      instance_name_template: "instance-%08x",
      report_interval: 10,
    });
    expect(resourceIntervalMs(c)).toBe(60_000);
  });

  it("update_resources_interval: 0 is the default spacing, negative turns the task off", () => {
    expect(resourceIntervalMs(parseComputeConfig({ update_resources_interval: 0 }))).toBe(60_000);
    expect(resourceIntervalMs(parseComputeConfig({ update_resources_interval: 5 }))).toBe(5_000);
    expect(resourceIntervalMs(parseComputeConfig({ update_resources_interval: -1 }))).toBeNull();
  });

  it("names the bad option", () => {
    expect(() => parseComputeConfig({ initial_cpu_allocation_ratio: "lots" })).toThrow(
      /initial_cpu_allocation_ratio/,
    );
  });
});
