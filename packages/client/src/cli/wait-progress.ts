import type { Clock, TimerHandle } from "@nova/core";
import type { Server } from "../schemas/servers.js";
import type { TextSink } from "./output.js";

/** "12s", "3m05s": the time waited, as the progress line shows it. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/**
 * `--wait`'s display on stderr (stdout keeps the result): on a terminal one status line rewritten in place,
 * its elapsed time ticking every second; elsewhere (a pipe, a CI log) a plain line each time the status or
 * task state changes.
 */
export class WaitProgress {
  private last = "";
  private lastLine = "";
  private started = 0;
  private ticker: TimerHandle | undefined;

  /** A display of the wait for `label` ("server web-1"), timed by `clock`. */
  constructor(
    private readonly sink: TextSink,
    private readonly label: string,
    private readonly clock: Clock,
  ) {}

  /** Starts the display (on a terminal, the ticking line). */
  start(): void {
    this.started = this.clock.now();
    if (this.sink.isTTY) this.tick();
  }

  /** The waiter's `onProgress`: shows the server's status and task state. */
  readonly onProgress = (server: Server | undefined, elapsedMs: number): void => {
    const task = server?.["OS-EXT-STS:task_state"];
    const state = server ? `${server.status}${task ? ` (${task})` : ""}` : "gone";
    if (this.sink.isTTY) {
      this.last = state;
      this.draw(elapsedMs);
    } else if (state !== this.last) {
      this.last = state;
      this.sink.write(`${this.label}: ${state} after ${formatElapsed(elapsedMs)}\n`);
    }
  };

  /** Ends the display; on a terminal the last line stays, followed by a newline. */
  finish(): void {
    this.ticker?.cancel();
    this.ticker = undefined;
    if (this.sink.isTTY && this.lastLine) this.sink.write("\n");
  }

  private tick(): void {
    this.draw(this.clock.now() - this.started);
    // keepAlive false: the ticking line never holds the process open once the wait is over.
    this.ticker = this.clock.setTimer(1000, () => this.tick(), { keepAlive: false });
  }

  private draw(elapsedMs: number): void {
    this.lastLine = `${this.label}: ${this.last || "waiting"} ${formatElapsed(elapsedMs)}`;
    // \r and erase-line: rewrite the one status line in place.
    this.sink.write(`\r\x1b[2K${this.lastLine}`);
  }
}
