import { z } from "zod";

/** Where a metrics listener binds. */
export interface ListenAddress {
  /** Host or address to bind. */
  host: string;
  /** TCP port (0 picks a free one). */
  port: number;
}

const listenSchema = z
  .string()
  .trim()
  .transform((v, ctx): ListenAddress | undefined => {
    if (v === "") return undefined;
    // `host:port`, `[v6]:port` or `:port` (all addresses).
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || port > 65535) {
      ctx.addIssue({ code: "custom", message: `expected host:port, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return { host: m[1] ?? (m[2] === "" ? "0.0.0.0" : m[2]!), port };
  });

/** The `[metrics]` options nova-ts adds to Nova's group (Nova's own `weight_*` ones belong to the scheduler). */
export const metricsOptionsSchema = z.object({
  /** `host:port` of the Prometheus listener; unset (the default) serves no metrics. */
  listen: listenSchema.optional(),
});

/** The parsed `[metrics]` options of telemetry. */
export interface MetricsOptions {
  /** Where to serve `/metrics`; undefined when off. */
  listen: ListenAddress | undefined;
}

/** Parses the raw `[metrics]` group (unknown options are other libraries'). */
export function parseMetricsOptions(raw: Record<string, unknown>): MetricsOptions {
  const parsed = metricsOptionsSchema.parse({ listen: raw.listen });
  return { listen: parsed.listen };
}
