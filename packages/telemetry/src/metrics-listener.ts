import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@nova/core";
import type { ListenAddress } from "./metrics-config.js";
import type { NovaMetrics } from "./nova-metrics.js";

/** A running `/metrics` listener. */
export interface MetricsListener {
  /** The bound address (the port chosen when 0 was asked for). */
  readonly address: AddressInfo;
  /** `http://host:port/metrics`. */
  readonly url: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the registry on `GET /metrics` (Prometheus text format) at `[metrics] listen`: a listener of its
 * own, so metrics are never exposed on the public API port.
 */
export async function listenMetrics(
  metrics: NovaMetrics,
  at: ListenAddress,
  logger: Logger,
): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/")) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err: String(err) }, "metrics collection failed");
        res.writeHead(500, { "Content-Type": "text/plain" }).end("collection failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port, at.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    address,
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
