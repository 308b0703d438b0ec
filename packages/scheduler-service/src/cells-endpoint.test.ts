import type { RequestContext } from "@nova/messaging";
import { NoValidHost, SCHEDULER_API_VERSION } from "@nova/rpcapi";
import { describe, expect, it } from "vitest";
import { type CellPlacer, cellsEndpoint } from "./cells-endpoint.js";
import type { HostStateCache } from "./host-state-cache.js";
import type { SchedulerManager } from "./scheduler-manager.js";
import { CellNotAnsweringError } from "./scheduler-service-error.js";

// A cell whose select_destinations answers `answer` (or refuses) and that knows `hosts`.
function cell(
  name: string,
  hosts: string[],
  answer: "ok" | "full" | "broken" | "hung",
  calls: string[],
  health?: { answering: boolean },
): CellPlacer {
  const record = (method: string) => (_ctx: RequestContext, args: Record<string, unknown>) => {
    calls.push(`${name}:${method}${args.host_name ? `:${String(args.host_name)}` : ""}`);
    if (method === "select_destinations" && answer === "full")
      throw new NoValidHost({ reason: `${name} full` });
    if (method === "select_destinations" && answer === "broken") throw new Error(`${name} broken`);
    if (method === "select_destinations" && answer === "hung") throw new CellNotAnsweringError(name, 3);
    return method === "select_destinations" ? [[name]] : null;
  };
  const methods = Object.fromEntries(
    [
      "select_destinations",
      "update_instance_info",
      "delete_instance_info",
      "sync_instance_info",
      "update_aggregates",
      "delete_aggregate",
    ].map((m) => [m, record(m)]),
  );
  return {
    cellUuid: name,
    cache: { knowsHost: (h: string) => hosts.includes(h) } as unknown as HostStateCache,
    manager: { endpoint: () => ({ version: SCHEDULER_API_VERSION, methods }) } as unknown as SchedulerManager,
    ...(health ? { health } : {}),
  };
}

const ctx = {} as RequestContext;

describe("cellsEndpoint", () => {
  it("asks the cells in turn, one further each request, and the next when one has no valid host", async () => {
    const calls: string[] = [];
    const e = cellsEndpoint([cell("c1", [], "full", calls), cell("c2", [], "ok", calls)]);
    const select = e.methods.select_destinations!;
    expect(await select(ctx, {})).toEqual([["c2"]]); // c1 first, full: c2
    expect(await select(ctx, {})).toEqual([["c2"]]); // c2 first
    expect(calls).toEqual(["c1:select_destinations", "c2:select_destinations", "c2:select_destinations"]);
  });

  it("refuses with the first cell's NoValidHost when none has room, and does not hide other failures", async () => {
    const calls: string[] = [];
    const full = cellsEndpoint([cell("c1", [], "full", calls), cell("c2", [], "full", calls)]);
    await expect(full.methods.select_destinations!(ctx, {})).rejects.toThrow(/c1 full/);
    const broken = cellsEndpoint([cell("c1", [], "broken", calls), cell("c2", [], "ok", calls)]);
    await expect(broken.methods.select_destinations!(ctx, {})).rejects.toThrow(/c1 broken/);
  });

  it("passes over a cell whose database does not answer, and marks one that times out", async () => {
    const calls: string[] = [];
    const down = { answering: false };
    const skipping = cellsEndpoint([cell("c1", [], "ok", calls, down), cell("c2", [], "ok", calls)]);
    expect(await skipping.methods.select_destinations!(ctx, {})).toEqual([["c2"]]);
    expect(await skipping.methods.select_destinations!(ctx, {})).toEqual([["c2"]]);
    expect(calls).toEqual(["c2:select_destinations", "c2:select_destinations"]);

    calls.length = 0;
    const hung = { answering: true };
    const timing = cellsEndpoint([cell("c1", [], "hung", calls, hung), cell("c2", [], "ok", calls)]);
    expect(await timing.methods.select_destinations!(ctx, {})).toEqual([["c2"]]);
    expect(hung.answering).toBe(false);
    expect(await timing.methods.select_destinations!(ctx, {})).toEqual([["c2"]]);
    expect(calls).toEqual(["c1:select_destinations", "c2:select_destinations", "c2:select_destinations"]);

    const none = cellsEndpoint([cell("c1", [], "ok", calls, { answering: false })]);
    await expect(none.methods.select_destinations!(ctx, {})).rejects.toThrow(/No cell answered/);
  });

  it("sends a compute's instance reports to the cell that knows its host; aggregates to every cell", async () => {
    const calls: string[] = [];
    const e = cellsEndpoint([cell("c1", ["a"], "ok", calls), cell("c2", ["b"], "ok", calls)]);
    await e.methods.update_instance_info!(ctx, { host_name: "b" });
    await e.methods.sync_instance_info!(ctx, { host_name: "a" });
    await e.methods.delete_instance_info!(ctx, { host_name: "new" });
    await e.methods.update_aggregates!(ctx, {});
    expect(calls).toEqual([
      "c2:update_instance_info:b",
      "c1:sync_instance_info:a",
      "c1:delete_instance_info:new",
      "c1:update_aggregates",
      "c2:update_aggregates",
    ]);
  });
});
