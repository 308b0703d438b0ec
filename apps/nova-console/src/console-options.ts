import { type NovaConfig, parseGroup } from "@nova/config";
import { z } from "zod";

/** The console's `[console]` options, with the Compute API defaulting to the nova-api of the same nova.conf. */
export interface ConsoleOptions {
  /** Where the page listens (`[console] listen`, default 127.0.0.1:9180; port 0 picks a free one). */
  host: string;
  /** The port of `listen`. */
  port: number;
  /** The Compute API the cloud is read from, version included (`[console] compute_endpoint`). */
  computeEndpoint: string;
  /** The token sent to it (`[console] auth_token`, default noauth2's admin `admin:admin`). */
  authToken: string;
  /** A built page to serve (`[console] ui_dir`); the package's own, built on first start, otherwise. */
  uiDir: string | undefined;
}

const listen = z
  .string()
  .trim()
  .regex(/^(?:\[[^\]]+\]|[^:]+):\d{1,5}$/, "expected host:port")
  .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port above 65535");

const schema = z.object({
  listen: listen.default("127.0.0.1:9180"),
  compute_endpoint: z.string().trim().url().optional(),
  auth_token: z.string().min(1).default("admin:admin"),
  ui_dir: z.string().trim().min(1).optional(),
});

/** Parses `[console]` once, at the edge; the Compute API defaults to `osapi_compute_listen[_port]`. */
export function parseConsoleOptions(config: NovaConfig): ConsoleOptions {
  const raw = parseGroup(config, "console", (given) =>
    schema.parse({
      listen: given.listen,
      compute_endpoint: given.compute_endpoint,
      auth_token: given.auth_token,
      ui_dir: given.ui_dir,
    }),
  );
  const colon = raw.listen.lastIndexOf(":");
  // nova-api on all addresses (Nova's 0.0.0.0 default) is reached on the loopback.
  const apiHost = ["0.0.0.0", "::", ""].includes(config.DEFAULT.osapi_compute_listen)
    ? "127.0.0.1"
    : config.DEFAULT.osapi_compute_listen;
  return {
    host: raw.listen.slice(0, colon).replace(/^\[|\]$/g, ""),
    port: Number(raw.listen.slice(colon + 1)),
    computeEndpoint:
      raw.compute_endpoint ?? `http://${apiHost}:${config.DEFAULT.osapi_compute_listen_port}/v2.1`,
    authToken: raw.auth_token,
    uiDir: raw.ui_dir,
  };
}
