import { FakeClock } from "@nova/core/test";
import { describe, expect, it } from "vitest";
import type { Server } from "../schemas/servers.js";
import { formatElapsed, WaitProgress } from "./wait-progress.js";

const server = (status: string, task: string | null) =>
  ({ id: "x", name: "web", status, "OS-EXT-STS:task_state": task }) as unknown as Server;

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (text: string) => chunks.push(text) };
}

describe("the --wait progress display", () => {
  it("prints a plain line per change of status or task state when not on a terminal", () => {
    const out = sink(false);
    const progress = new WaitProgress(out, "server web", new FakeClock());
    progress.start();
    progress.onProgress(server("BUILD", "scheduling"), 500);
    progress.onProgress(server("BUILD", "scheduling"), 1200);
    progress.onProgress(server("BUILD", "spawning"), 2100);
    progress.onProgress(server("ACTIVE", null), 65_000);
    progress.finish();
    expect(out.chunks).toEqual([
      "server web: BUILD (scheduling) after 0s\n",
      "server web: BUILD (spawning) after 2s\n",
      "server web: ACTIVE after 1m05s\n",
    ]);
  });

  it("keeps one live line on a terminal, its elapsed time ticking between polls", async () => {
    const out = sink(true);
    const clock = new FakeClock();
    const progress = new WaitProgress(out, "server web", clock);
    progress.start();
    progress.onProgress(server("BUILD", "spawning"), 0);
    await clock.advance(3000);
    expect(out.chunks.at(-1)).toBe("\r\x1b[2Kserver web: BUILD (spawning) 3s");
    progress.finish();
    expect(out.chunks.at(-1)).toBe("\n");
    const count = out.chunks.length;
    await clock.advance(5000);
    expect(out.chunks.length).toBe(count);
  });

  it("formats elapsed time", () => {
    expect(formatElapsed(999)).toBe("0s");
    expect(formatElapsed(59_999)).toBe("59s");
    expect(formatElapsed(600_000)).toBe("10m00s");
  });
});
