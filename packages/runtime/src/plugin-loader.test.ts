import { fileURLToPath } from "node:url";
import { ConfigError, loadNovaConfig } from "@nova/config";
import { FakeDriver } from "@nova/virt";
import { testImageMeta, testInstance } from "@nova/virt/test";
import { describe, expect, it } from "vitest";
import { loadComputeDriver } from "./compute-driver.js";
import { loadImageCatalog } from "./image-catalog.js";
import { PluginLoadError } from "./plugin-load-error.js";
import { loadPlugin } from "./plugin-loader.js";
import { schedulerServiceConfig } from "./scheduler.js";
import { loadSchedulerPlugins } from "./scheduler-plugins.js";

const baseDir = fileURLToPath(new URL(".", import.meta.url));
const FIXTURES = "./__fixtures__/plugins.ts";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

async function failure(p: Promise<unknown>): Promise<PluginLoadError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(PluginLoadError.isInstance(err)).toBe(true);
  expect(ConfigError.isInstance(err)).toBe(true);
  return err as PluginLoadError;
}

describe("loadPlugin", () => {
  const where = { group: "filter_scheduler", option: "enabled_filters" };
  const check = () => null;

  it("names the option, the specifier and the problem when the module, the export or its shape is wrong", async () => {
    const missing = await failure(loadPlugin("nova-no-such-plugin-package#X", { where, check, baseDir }));
    expect(missing.problem).toBe("MODULE_NOT_FOUND");
    expect(missing.message).toMatch(
      /^Invalid value for option enabled_filters in group \[filter_scheduler\]: "nova-no-such-plugin-package#X": cannot find module/,
    );
    const noExport = await failure(loadPlugin(`${FIXTURES}#RackFilter`, { where, check, baseDir }));
    expect(noExport.problem).toBe("EXPORT_NOT_FOUND");
    expect(noExport.message).toContain("has no export RackFilter (it exports: ");
    expect(noExport.message).toContain("EvenHostFilter");
    const shape = await failure(
      loadPlugin(`${FIXTURES}#notAPlugin`, { where, check: () => "is not a filter", baseDir }),
    );
    expect(shape.problem).toBe("WRONG_SHAPE");
    expect(shape.message).toMatch(/notAPlugin is not a filter$/);
    const noHash = await failure(loadPlugin("my-filters", { where, check, baseDir }));
    expect(noHash.message).toContain("expected <module>#<Export>");
  });
});

describe("loadSchedulerPlugins", () => {
  it("loads filters and weighers named by specifier (objects or classes) beside Nova's names", async () => {
    const config = loadNovaConfig({
      defaults: {
        filter_scheduler: {
          available_filters: `nova.scheduler.filters.all_filters, ${FIXTURES}#EvenHostFilter`,
          enabled_filters: "ComputeFilter, EvenHostFilter",
          weight_classes: `nova.scheduler.weights.all_weighers, ${FIXTURES}#HighNumberWeigher`,
        },
      },
    });
    const plugins = await loadSchedulerPlugins(config, { baseDir });
    expect(plugins.registry.filter("EvenHostFilter").name).toBe("EvenHostFilter");
    expect(plugins.registry.weigher("HighNumberWeigher").name).toBe("HighNumberWeigher");
    const input = schedulerServiceConfig(config, plugins);
    expect(input.filter_scheduler?.enabled_filters).toEqual(["ComputeFilter", "EvenHostFilter"]);
    expect(input.filter_scheduler?.weight_classes).toEqual([
      "nova.scheduler.weights.all_weighers",
      "HighNumberWeigher",
    ]);
  });

  it("refuses a specifier that was not loaded, and an export that is no filter", async () => {
    const config = loadNovaConfig({
      defaults: { filter_scheduler: { enabled_filters: `ComputeFilter, ${FIXTURES}#EvenHostFilter` } },
    });
    expect(() => schedulerServiceConfig(config)).toThrow(
      /was not loaded \(load it with loadSchedulerPlugins\)/,
    );
    const bad = loadNovaConfig({
      defaults: { filter_scheduler: { enabled_filters: `${FIXTURES}#notAPlugin` } },
    });
    const err = await failure(loadSchedulerPlugins(bad, { baseDir }));
    expect(err.problem).toBe("WRONG_SHAPE");
    expect(err.message).toContain("notAPlugin is not a filter (an object or a class)");
  });
});

describe("loadComputeDriver", () => {
  const opts = { nodename: "n1", logger: silent, baseDir };

  it("builds a driver class named by specifier with its context, and the built-ins as before", async () => {
    const config = loadNovaConfig({
      defaults: { DEFAULT: { compute_driver: `${FIXTURES}#FixtureDriver` }, fixture_driver: { vcpus: "6" } },
    });
    const driver = await loadComputeDriver(config, opts);
    await driver.initHost("n1");
    expect((await driver.getAvailableResource("n1")).vcpus).toBe(6);
    const instance = testInstance();
    await driver.spawn({ instance, imageMeta: testImageMeta() });
    expect(await driver.listInstanceUuids()).toEqual([instance.uuid]);
    await driver.close();
    const off = loadNovaConfig({ defaults: { DEFAULT: { compute_driver_call_timeout: "0" } } });
    expect(await loadComputeDriver(off, opts)).toBeInstanceOf(FakeDriver);
  });

  it("refuses a class that lacks ComputeDriver methods, naming them", async () => {
    const config = loadNovaConfig({ defaults: { DEFAULT: { compute_driver: `${FIXTURES}#HalfDriver` } } });
    const err = await failure(loadComputeDriver(config, opts));
    expect(err.option).toBe("compute_driver");
    expect(err.message).toMatch(
      /HalfDriver lacks ComputeDriver methods: initHost, close, getAvailableNodes, destroy/,
    );
  });
});

describe("loadImageCatalog", () => {
  it("builds the local catalogue, or a class named by specifier with its context, and refuses anything else", async () => {
    const local = await loadImageCatalog(loadNovaConfig({ defaults: { DEFAULT: { state_path: baseDir } } }), {
      logger: silent,
      fallback: [],
    });
    expect(await local.list({})).toEqual([]);
    const named = loadNovaConfig({
      defaults: {
        glance: { image_catalog: `${FIXTURES}#FixtureImages` },
        fixture_images: { name: "debian-13" },
      },
    });
    const images = await loadImageCatalog(named, { logger: silent, baseDir });
    expect((await images.list({})).map((i) => i.name)).toEqual(["debian-13"]);
    const bad = loadNovaConfig({ defaults: { glance: { image_catalog: "glance" } } });
    await expect(loadImageCatalog(bad, { logger: silent })).rejects.toThrow(
      /option image_catalog in group \[glance\]: "glance" \(known: local, or <npm module>#<Export>\)/,
    );
  });
});
