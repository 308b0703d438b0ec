import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { SeriesHistogram } from "./nova-metrics.js";

describe("SeriesHistogram", () => {
  it("counts each observation in the first bucket not below it, cumulatively, as prom-client's Histogram", async () => {
    const registry = new Registry();
    const ours = new SeriesHistogram<"method">({
      name: "ours_seconds",
      help: "h",
      labelNames: ["method"],
      buckets: [0.1, 0.5, 1],
      registers: [registry],
    });
    const reference = new SeriesHistogram<"method">({
      name: "reference_seconds",
      help: "h",
      labelNames: ["method"],
      buckets: [0.1, 0.5, 1],
      registers: [registry],
    });
    const series = ours.seriesFor("ping", () => ({ method: "ping" }));
    expect(ours.seriesFor("ping", () => ({ method: "other" }))).toBe(series);
    // An observation equal to a bound counts in that bound's bucket (`le`), as prom-client counts it.
    for (const v of [0.05, 0.1, 0.3, 0.5, 0.7, 2]) {
      series.observe(v);
      reference.observe({ method: "ping" }, v);
    }
    const text = await registry.metrics();
    const samples = (name: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(name))
        .map((l) => l.slice(name.length))
        .sort();
    expect(samples("ours_seconds")).toEqual(samples("reference_seconds"));
    expect(text).toContain('ours_seconds_bucket{le="0.1",method="ping"} 2');
    expect(text).toContain('ours_seconds_bucket{le="0.5",method="ping"} 4');
    expect(text).toContain('ours_seconds_bucket{le="1",method="ping"} 5');
    expect(text).toContain('ours_seconds_bucket{le="+Inf",method="ping"} 6');
    expect(text).toContain('ours_seconds_count{method="ping"} 6');
    expect(text).toMatch(/ours_seconds_sum\{method="ping"\} 3\.65/);
    const json = await registry.getMetricsAsJSON();
    // JSON (prom-client's get): the same samples, labels merged.
    const values = (name: string) =>
      json
        .find((m) => m.name === name)!
        .values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metric: (v as { metricName?: string }).metricName?.replace(name, ""),
        }));
    expect(values("ours_seconds")).toEqual(values("reference_seconds"));
    expect(values("ours_seconds")).toContainEqual({
      labels: { le: 0.5, method: "ping" },
      value: 4,
      metric: "_bucket",
    });
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain("ours_seconds_count");
  });
});
