import { join } from "node:path";
import { ConfigError, type NovaConfig, parseGroup } from "@nova/config";
import type { Clock, Logger } from "@nova/core";
import type { ImageStore } from "@nova/image-catalog";
import {
  type ComputeDriver,
  type ComputeDriverContext,
  FAKE_DRIVER_OPERATIONS,
  FakeDriver,
  type FakeDriverOperation,
  missingDriverMethods,
  withCallTimeouts,
} from "@nova/virt";
import {
  LibvirtDriver,
  type LibvirtDriverConfig,
  LocalImageSource,
  parseLibvirtDriverConfig,
} from "@nova/virt-libvirt";
import { loadPlugin, parsePluginSpecifier } from "./plugin-loader.js";

/** A bad `compute_driver`: a ConfigError (exit 2) naming the option and what is known. */
export class ComputeDriverConfigError extends ConfigError {
  /** Builds the error for the `compute_driver` value that names no known driver. */
  constructor(value: string) {
    super(
      "CONFIG_INVALID",
      `Invalid value for option compute_driver in group [DEFAULT]: "${value}" (known: fake.FakeDriver, libvirt.LibvirtDriver, or <npm module>#<Export>)`,
      { group: "DEFAULT", option: "compute_driver" },
    );
  }
}

/**
 * The fake driver as `[fake]` describes it: capacity, spawn delay, the injected spawn failures
 * (`spawn_failure_count` first spawns, and every spawn whose display name matches `spawn_failure_pattern`), and
 * any operation's delay and first failures by Nova's name (`operation_delays`, `operation_failures`).
 */
export function createFakeDriver(fake: NovaConfig["fake"], nodename: string): FakeDriver {
  const delays: Partial<Record<FakeDriverOperation, number>> = {};
  for (const [name, secs] of Object.entries(fake.operation_delays)) {
    delays[fakeOperation("operation_delays", name)] = Math.round(secs * 1000);
  }
  const driver = new FakeDriver({
    nodename,
    vcpus: fake.vcpus,
    memoryMb: fake.memory_mb,
    localGb: fake.local_gb,
    ...(fake.spawn_delay > 0 ? { spawnDelayMs: Math.round(fake.spawn_delay * 1000) } : {}),
    operationDelaysMs: delays,
  });
  for (const [name, count] of Object.entries(fake.operation_failures)) {
    if (count > 0)
      driver.injectFailure({ operation: fakeOperation("operation_failures", name), times: count });
  }
  if (fake.spawn_failure_count > 0) {
    driver.injectFailure({ operation: "spawn", times: fake.spawn_failure_count });
  }
  if (fake.spawn_failure_pattern !== undefined) {
    const pattern = new RegExp(fake.spawn_failure_pattern);
    driver.injectFailure({
      operation: "spawn",
      times: Number.POSITIVE_INFINITY,
      matches: (instance) => "displayName" in instance && pattern.test(instance.displayName),
    });
  }
  return driver;
}

// Nova's operation names (snake_case, as its driver methods are named) to the fake driver's.
function fakeOperation(option: string, name: string): FakeDriverOperation {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if ((FAKE_DRIVER_OPERATIONS as readonly string[]).includes(camel)) return camel as FakeDriverOperation;
  throw new ConfigError(
    "CONFIG_INVALID",
    `Invalid value for option ${option} in group [fake]: unknown operation "${name}"`,
    { group: "fake", option },
  );
}

/**
 * The hypervisor driver `[DEFAULT] compute_driver` names: `fake.FakeDriver` (sized by `[fake]`) or
 * `libvirt.LibvirtDriver` (configured by `[libvirt]` and `[vnc]`, images from the local catalog's files).
 */
export function createComputeDriver(
  config: Pick<NovaConfig, "DEFAULT" | "fake" | "raw">,
  opts: {
    nodename: string;
    imageFiles?: ReadonlyMap<string, string>;
    /** The catalogue `imageFiles` comes from: read again for an image the files lack (a newer snapshot). */
    images?: Pick<ImageStore, "get">;
  },
): ComputeDriver {
  const name = config.DEFAULT.compute_driver;
  if (name === "fake.FakeDriver" || name === "fake") {
    return createFakeDriver(config.fake, opts.nodename);
  }
  if (name === "libvirt.LibvirtDriver" || name === "libvirt") {
    const files = opts.imageFiles ?? new Map<string, string>();
    const catalogue = opts.images;
    return new LibvirtDriver({
      config: libvirtDriverConfig(config),
      // Looked up at each download: images (snapshots) appear while the compute runs.
      imageSource: new LocalImageSource(async (id) => {
        if (!files.has(id)) await catalogue?.get(id).catch(() => undefined);
        const path = files.get(id);
        return path ? { path } : undefined;
      }),
    });
  }
  throw new ComputeDriverConfigError(name);
}

/** The libvirt driver's options from nova.conf: `[libvirt]`, `[vnc]`, and `instances_path` (Nova's default: `$state_path/instances`). */
export function libvirtDriverConfig(config: Pick<NovaConfig, "DEFAULT" | "raw">): LibvirtDriverConfig {
  const DEFAULT = config.raw.DEFAULT ?? {};
  return parseGroup(config, ["DEFAULT", "libvirt", "vnc"], () => {
    try {
      return parseLibvirtDriverConfig({
        DEFAULT: {
          ...DEFAULT,
          instances_path: DEFAULT.instances_path || join(config.DEFAULT.state_path, "instances"),
        },
        libvirt: config.raw.libvirt ?? {},
        vnc: config.raw.vnc ?? {},
      });
    } catch (err) {
      // The driver's schema is keyed by group: its issues' paths are [group, option].
      const issue = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues?.[0];
      if (!issue || issue.path.length < 2) throw err;
      throw Object.assign(new Error(issue.message), {
        group: String(issue.path[0]),
        option: String(issue.path[1]),
      });
    }
  });
}

/**
 * The driver `[DEFAULT] compute_driver` names, built-in (`fake.FakeDriver`, `libvirt.LibvirtDriver`) or loaded
 * from `<npm module>#<Export>` (a ComputeDriverClass, constructed with a ComputeDriverContext), with every call
 * bounded by `compute_driver_call_timeout` (a hung call fails with an error naming the driver).
 */
export async function loadComputeDriver(
  config: Pick<NovaConfig, "DEFAULT" | "fake" | "raw">,
  opts: {
    nodename: string;
    logger: Logger;
    imageFiles?: ReadonlyMap<string, string>;
    /** The catalogue `imageFiles` comes from (see createComputeDriver). */
    images?: Pick<ImageStore, "get">;
    /** Where the driver's module resolves from (the application's folder); the working directory by default. */
    baseDir?: string;
    /** The clock call timeouts run on. */
    clock?: Clock;
  },
): Promise<ComputeDriver> {
  const name = config.DEFAULT.compute_driver;
  const driver = parsePluginSpecifier(name)
    ? await loadPlugin<ComputeDriver>(name, {
        where: { group: "DEFAULT", option: "compute_driver" },
        baseDir: opts.baseDir,
        check: (v) => {
          if (typeof v !== "function") return "is not a class (a ComputeDriverClass)";
          const missing = missingDriverMethods((v as { prototype?: unknown }).prototype);
          return missing.length === 0 ? null : `lacks ComputeDriver methods: ${missing.join(", ")}`;
        },
        build: (v) => {
          const context: ComputeDriverContext = {
            nodename: opts.nodename,
            config: config.raw,
            statePath: config.DEFAULT.state_path,
            imageFiles: opts.imageFiles ?? new Map(),
            logger: opts.logger,
          };
          return new (v as new (c: ComputeDriverContext) => ComputeDriver)(context);
        },
      })
    : createComputeDriver(config, opts);
  const timeout = config.DEFAULT.compute_driver_call_timeout;
  if (timeout <= 0) return driver;
  return withCallTimeouts(driver, {
    name,
    timeoutMs: timeout * 1000,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
}
