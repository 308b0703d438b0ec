import { describe, expect, it } from "vitest";
import { parseSchedulerConfig } from "./config.js";
import type { HostFilter } from "./filters/host-filter.js";
import { HostManager } from "./host-manager.js";
import { PluginFailedError } from "./plugin-failed-error.js";
import { PluginRegistry } from "./registry.js";
import { Scheduler } from "./scheduler.js";
import { fakeHost, fakeRequest } from "./test/index.js";
import type { HostWeigher } from "./weighers/host-weigher.js";

const NOW = 1_800_000_000_000;
const uuids = ["33333333-3333-4333-8333-000000000001", "33333333-3333-4333-8333-000000000002"];

function setup(plugins: PluginRegistry, config: Record<string, unknown>) {
  const hosts = new HostManager();
  for (const h of ["a", "b", "c"]) hosts.upsertHost(fakeHost(h, {}, NOW));
  return {
    hosts,
    scheduler: new Scheduler({
      config: parseSchedulerConfig(config),
      hosts,
      plugins,
      clock: { now: () => NOW },
    }),
  };
}

function weigherOf(value: (host: string, calls: number) => unknown): HostWeigher {
  let calls = 0;
  return {
    name: "OddWeigher",
    prepare: () => ({ value: (h) => value(h.host, calls++) as number, multiplier: () => 1 }),
  };
}

describe("custom plug-ins are contained", () => {
  it("a weigher that throws fails the request with a PluginFailedError naming it", () => {
    const plugins = new PluginRegistry().registerWeigher(
      weigherOf(() => {
        throw new Error("rack map missing");
      }),
    );
    const { scheduler } = setup(plugins, { weight_classes: ["RAMWeigher", "OddWeigher"] });
    const err = (() => {
      try {
        scheduler.selectDestinations(fakeRequest());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(PluginFailedError.isInstance(err)).toBe(true);
    expect((err as PluginFailedError).message).toMatch(
      /^weigher OddWeigher failed: value threw Error: rack map missing/,
    );
    // The scheduler still serves once the plug-in behaves.
    const ok = setup(new PluginRegistry(), { weight_classes: ["RAMWeigher"] }).scheduler;
    expect(ok.selectDestinations(fakeRequest()).selections).toHaveLength(1);
  });

  it("a weight that is not a finite number is refused, and the claims of earlier instances are given back", () => {
    // The first instance weighs fine; the second instance's weighing answers NaN.
    const plugins = new PluginRegistry().registerWeigher(
      weigherOf((_h, calls) => (calls < 3 ? 1 : Number.NaN)),
    );
    const { scheduler, hosts } = setup(plugins, { weight_classes: ["OddWeigher"] });
    const before = hosts.all().map((h) => h.free_ram_mb);
    expect(() =>
      scheduler.selectDestinations(fakeRequest({ instance_uuids: uuids, num_instances: 2 })),
    ).toThrow(/weigher OddWeigher failed: value answered NaN for host \w, not a finite number/);
    expect(hosts.all().map((h) => h.free_ram_mb)).toEqual(before);
  });

  it("a filter whose verdict is not a boolean, or that throws, fails the request; a throwing reason only loses its words", () => {
    const garbage: HostFilter = { name: "RackFilter", hostPasses: () => "yes" as unknown as boolean };
    const { scheduler } = setup(new PluginRegistry().registerFilter(garbage), {
      enabled_filters: ["RackFilter"],
    });
    expect(() => scheduler.selectDestinations(fakeRequest())).toThrow(
      /filter RackFilter failed: answered "yes" for host a, not a boolean/,
    );
    const rude: HostFilter = {
      name: "RackFilter",
      hostPasses: (h) => h.host === "b",
      reason: () => {
        throw new Error("no words");
      },
    };
    const r = setup(new PluginRegistry().registerFilter(rude), {
      enabled_filters: ["RackFilter"],
    }).scheduler.selectDestinations(fakeRequest(), { explain: true });
    expect(r.selections[0]?.[0]?.host).toBe("b");
    expect(r.explanation?.rejected.map((x) => x.reason)).toEqual([
      "rejected by RackFilter",
      "rejected by RackFilter",
    ]);
  });
});
