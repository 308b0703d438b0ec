// Plug-ins as a third party would publish them, loaded by the runtime's tests through `<path>#<Export>`.
import { type ImageCatalogContext, LocalImageCatalog } from "@nova/image-catalog";
import type { HostFilter, HostWeigher } from "@nova/scheduler";
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
