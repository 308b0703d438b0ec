import { type Clock, systemClock } from "@nova/core";
import { ServerWaitError } from "./compute-api-error.js";
import { NotFoundError } from "./errors/not-found-error.js";
import type { Server } from "./schemas/servers.js";

/** Options of `waitForServer` and `waitForServerDeleted`. */
export interface ServerWaitOptions {
  /** Stops waiting (the signal's reason is thrown). */
  signal?: AbortSignal | undefined;
  /** Called with each server seen and the time waited so far (a progress display). */
  onProgress?: ((server: Server, elapsedMs: number) => void) | undefined;
  /** Give up after this long, in milliseconds (default 60 s). */
  timeoutMs?: number | undefined;
  /** The first pause between polls (default 500 ms); later pauses grow by half each time. */
  intervalMs?: number | undefined;
  /** The longest pause between polls (default 5 s; equal to `intervalMs` polls at a fixed pace). */
  maxIntervalMs?: number | undefined;
  /** Statuses that end the wait with an error (default ["ERROR"]). */
  failOn?: readonly string[] | undefined;
  /** Whose time the deadline and the pauses follow (default the system clock; tests pass a FakeClock). */
  clock?: Clock | undefined;
}

/**
 * Polls `getServer` until the server has `status` (or, with `status` undefined, until it is gone: a 404),
 * pausing with backoff; throws {@link ServerWaitError}: `SERVER_WAIT_ERROR_STATUS` with the instance fault when
 * the server goes to ERROR, `SERVER_WAIT_TIMEOUT` at the deadline.
 */
export async function pollServer(
  id: string,
  status: string | undefined,
  getServer: (signal: AbortSignal | undefined) => Promise<Server>,
  options: ServerWaitOptions,
): Promise<Server | undefined> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 500;
  const maxIntervalMs = Math.max(intervalMs, options.maxIntervalMs ?? 5000);
  const failOn = options.failOn ?? ["ERROR"];
  const started = clock.now();
  const deadline = started + timeoutMs;
  let pause = intervalMs;
  let last: string | undefined;
  for (;;) {
    let server: Server;
    try {
      server = await getServer(options.signal);
    } catch (error) {
      if (status === undefined && NotFoundError.isInstance(error)) return undefined;
      throw error;
    }
    last = server.status;
    options.onProgress?.(server, clock.now() - started);
    if (server.status === status) return server;
    if (failOn.includes(server.status)) {
      const why = server.fault ? `: ${server.fault.message}` : "";
      throw new ServerWaitError(
        "SERVER_WAIT_ERROR_STATUS",
        `server ${id} went to ${server.status}${why}`,
        last,
        server.fault,
      );
    }
    const now = clock.now();
    if (now >= deadline) {
      const wanted = status === undefined ? "gone" : status;
      throw new ServerWaitError(
        "SERVER_WAIT_TIMEOUT",
        `server ${id} still ${last} (not ${wanted}) after ${timeoutMs} ms`,
        last,
      );
    }
    await clock.sleep(Math.min(pause, deadline - now), options.signal);
    pause = Math.min(maxIntervalMs, Math.round(pause * 1.5));
  }
}
