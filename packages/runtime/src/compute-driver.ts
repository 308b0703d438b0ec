import type { NovaConfig } from "@nova/config";
import type { ComputeDriver } from "@nova/virt";
import { FakeDriver } from "@nova/virt";
import { LibvirtDriver, LocalImageSource, parseLibvirtDriverConfig } from "@nova/virt-libvirt";

/** A bad `compute_driver`: names the option and what is known. */
export class ComputeDriverConfigError extends Error {
  readonly code = "COMPUTE_DRIVER";
  constructor(value: string) {
    super(
      `Invalid value for option compute_driver in group [DEFAULT]: "${value}" (known: fake.FakeDriver, libvirt.LibvirtDriver)`,
    );
    this.name = "ComputeDriverConfigError";
  }
}

/**
 * The hypervisor driver `[DEFAULT] compute_driver` names: `fake.FakeDriver` (sized by `[fake]`) or
 * `libvirt.LibvirtDriver` (configured by `[libvirt]`, images from the local catalog's files).
 */
export function createComputeDriver(
  config: NovaConfig,
  opts: { nodename: string; imageFiles?: ReadonlyMap<string, string> },
): ComputeDriver {
  const name = config.DEFAULT.compute_driver;
  if (name === "fake.FakeDriver" || name === "fake") {
    const f = config.fake;
    return new FakeDriver({
      nodename: opts.nodename,
      vcpus: f.vcpus,
      memoryMb: f.memory_mb,
      localGb: f.local_gb,
      spawnDelayMs: Math.round(f.spawn_delay * 1000),
    });
  }
  if (name === "libvirt.LibvirtDriver" || name === "libvirt") {
    const images: Record<string, { path: string }> = {};
    for (const [id, path] of opts.imageFiles ?? []) images[id] = { path };
    return new LibvirtDriver({
      config: parseLibvirtDriverConfig({
        DEFAULT: config.raw.DEFAULT ?? {},
        libvirt: config.raw.libvirt ?? {},
      }),
      imageSource: new LocalImageSource(images as never),
    });
  }
  throw new ComputeDriverConfigError(name);
}
