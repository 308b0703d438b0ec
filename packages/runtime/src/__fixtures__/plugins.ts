// Plug-ins as a third party would publish them, loaded by the runtime's tests through `<path>#<Export>`.
import { type ImageCatalogContext, LocalImageCatalog } from "@nova/image-catalog";
import type { HostFilter, HostWeigher } from "@nova/scheduler";
import type {
  ServiceGroupDriverContext,
  ServiceGroupDriverPlugin,
  ServiceKey,
  ServiceRecord,
} from "@nova/servicegroup";
import { type ComputeDriverContext, FakeDriver } from "@nova/virt";

/** Passes hosts whose name ends in an even digit. */
export const EvenHostFilter: HostFilter = {
  name: "EvenHostFilter",
  hostPasses: (host) => /[02468]$/.test(host.host),
  reason: (host) => `${host.host} is odd`,
};

/** Prefers hosts with higher numbers, written as a class (as Nova's are). */
export class HighNumberWeigher implements HostWeigher {
  readonly name = "HighNumberWeigher";
  prepare() {
    return { value: (h: { host: string }) => Number(h.host.replace(/\D/g, "")) || 0, multiplier: () => 1 };
  }
}

/** A weigher that throws on every host. */
export const BrokenWeigher: HostWeigher = {
  name: "BrokenWeigher",
  prepare: () => ({
    value: () => {
      throw new Error("rack map is missing");
    },
    multiplier: () => 1,
  }),
};

/** Not a filter: a number. */
export const notAPlugin = 42;

/** A driver class: the fake driver, sized from its own nova.conf group `[fixture_driver] vcpus`. */
export class FixtureDriver extends FakeDriver {
  constructor(context: ComputeDriverContext) {
    super({ nodename: context.nodename, vcpus: Number(context.config.fixture_driver?.vcpus ?? 8) });
  }
}

/** A driver whose spawn never answers. */
export class HangingDriver extends FakeDriver {
  constructor(context: ComputeDriverContext) {
    super({ nodename: context.nodename });
  }
  override spawn(): Promise<void> {
    return new Promise<void>(() => {});
  }
}

/** Half a driver. */
export class HalfDriver {
  spawn(): Promise<void> {
    return Promise.resolve();
  }
}

/** A weigher that throws for m1.large requests only (the scheduler must go on serving the others). */
export const PickyWeigher: HostWeigher = {
  name: "PickyWeigher",
  prepare: (request) => ({
    value: () => {
      if (request.spec.flavor.name === "m1.large") throw new Error("no rack has room for large servers");
      return 1;
    },
    multiplier: () => 1,
  }),
};

/** An image catalogue class: one image, named by its own nova.conf group `[fixture_images] name`. */
export class FixtureImages extends LocalImageCatalog {
  constructor(context: ImageCatalogContext) {
    super([
      {
        id: "9b1d7c1e-0d0e-4c4e-8a38-8a3c2f1f0001",
        name: String(context.config.fixture_images?.name ?? "fixture"),
        min_ram: 0,
        min_disk: 0,
        size: 1,
        properties: {},
        created_at: "2026-12-06T00:00:00Z",
      },
    ]);
  }
}

/**
 * A servicegroup driver as Nova's memcache one, in memory: each report stores `<topic>:<host>` with its time,
 * and a service is up while its key is younger than service_down_time. `silence(key)` drops a key and ignores
 * its reports (the driver alone then says the service is down). Instances are kept for the tests to inspect.
 */
export class MemoryServiceGroupDriver implements ServiceGroupDriverPlugin {
  /** Every instance built, last one last. */
  static readonly instances: MemoryServiceGroupDriver[] = [];
  /** `<topic>:<host>` to the time of its last report. */
  readonly reports = new Map<string, number>();
  /** Services that joined, as `<topic>:<host>`. */
  readonly joined = new Set<string>();
  private readonly silenced = new Set<string>();

  constructor(private readonly context: ServiceGroupDriverContext) {
    MemoryServiceGroupDriver.instances.push(this);
  }

  join(service: ServiceKey): void {
    this.joined.add(`${service.topic}:${service.host}`);
  }

  async sendReport(service: ServiceKey): Promise<undefined> {
    const key = `${service.topic}:${service.host}`;
    if (!this.silenced.has(key)) this.reports.set(key, this.context.clock.now());
    return undefined;
  }

  isUp(service: ServiceRecord): boolean {
    const at = this.reports.get(`${service.topic}:${service.host}`);
    const downAfterMs = this.context.serviceGroup.serviceDownTime * 1000;
    return at !== undefined && this.context.clock.now() - at <= downAfterMs;
  }

  /** The driver forgets `key` and ignores its reports from now on. */
  silence(key: string): void {
    this.silenced.add(key);
    this.reports.delete(key);
  }
}

/** A servicegroup driver whose every call throws: the services must run on, and read everyone down. */
export class BrokenServiceGroupDriver implements ServiceGroupDriverPlugin {
  join(): void {
    throw new Error("no route to the liveness store");
  }
  sendReport(): Promise<undefined> {
    return Promise.reject(new Error("no route to the liveness store"));
  }
  isUp(): boolean {
    throw new Error("no route to the liveness store");
  }
}

/** Half a servicegroup driver: reports, but cannot tell who is up. */
export class HalfServiceGroupDriver {
  sendReport(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}
