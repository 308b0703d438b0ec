import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { type Clock, type Logger, PeriodicTask, systemClock } from "@nova/core";
import type { CloudReader } from "./cloud-reader.js";
import type { CloudState, ConsoleSnapshot } from "./console-state.js";
import type { DecisionLog } from "./decision-log.js";
import type { FlowSource } from "./flow-book.js";

/** What a console server shows and where it listens. */
export interface ConsoleServerOptions {
  /** The flows it shows: a FlowRecorder on a transport, or a FirehoseFlowRecorder on the broker. */
  flows: FlowSource;
  /** The scheduler's decisions (the NoValidHost view); none: that view stays empty. */
  decisions?: DecisionLog;
  /** Services, hypervisors and instances. */
  cloud: CloudReader;
  /** The built page (`index.html` and its assets), from `buildConsoleUi` or the package's `dist/ui`. */
  uiDir: string;
  /** Address to listen on; the port 0 picks a free one. */
  host: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** How often the cloud is read while a page is connected (default 2000 ms). */
  cloudIntervalMs?: number;
  /** Where the console logs. */
  logger: Logger;
  /** The clock flows are timed on (the system clock by default). */
  clock?: Clock;
}

/** A listening console. */
export interface ConsoleServer {
  /** `http://<host>:<port>/`. */
  readonly url: string;
  /** Closes the page streams and the listener. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

/**
 * Serves the console: the page, `GET /api/state` (everything as JSON), and `GET /events`, a server-sent event
 * stream of `snapshot` once, then `flow`, `decision` and `cloud` as they change.
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { flows, decisions, cloud, logger } = options;
  const uiDir = resolve(options.uiDir);
  const clock = options.clock ?? systemClock;
  const streams = new Set<ServerResponse>();
  let lastCloud: CloudState | null = null;

  const broadcast = (event: string, data: unknown) => {
    if (streams.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const unsubscribe = [
    flows.subscribe((flow) => broadcast("flow", flow)),
    ...(decisions ? [decisions.subscribe((d) => broadcast("decision", d))] : []),
  ];
  // The cloud is read only while someone watches: an idle console costs the API nothing.
  const refresh = new PeriodicTask(
    { name: "console cloud read", spacingMs: options.cloudIntervalMs ?? 2000, runImmediately: true },
    async () => {
      if (streams.size === 0) return;
      lastCloud = await cloud.read();
      broadcast("cloud", lastCloud);
    },
    clock,
    logger,
  );

  const snapshot = (): ConsoleSnapshot => ({
    cloud: lastCloud,
    flows: flows.list(),
    decisions: decisions?.list() ?? [],
  });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.warn({ err: String(err), url: req.url }, "console request failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("internal error");
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" }).end("method not allowed");
      return;
    }
    const path = new URL(req.url ?? "/", "http://console").pathname;
    if (path === "/api/state") {
      if (lastCloud === null) lastCloud = await cloud.read();
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(snapshot()));
      return;
    }
    if (path === "/events") {
      res.writeHead(200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
      });
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
      streams.add(res);
      req.on("close", () => streams.delete(res));
      // A new page wants the cloud now rather than one interval later.
      refresh.trigger();
      return;
    }
    serveFile(path, res);
  }

  function serveFile(path: string, res: ServerResponse): void {
    let file = normalize(join(uiDir, decodeURIComponent(path)));
    if (file !== uiDir && !file.startsWith(uiDir + sep)) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      // Unknown paths without an extension are the page's own views.
      if (extname(path) !== "") {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      file = join(uiDir, "index.html");
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port, options.host, () => {
      server.off("error", fail);
      ok();
    });
  });
  refresh.start();
  const address = server.address() as AddressInfo;
  const url = `http://${options.host}:${address.port}/`;
  return {
    url,
    async close() {
      for (const u of unsubscribe) u();
      await refresh.stop();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
