import { FakeClock, MemoryLogger } from "@nova/core/test";
import type { CellDatabase } from "@nova/db";
import { Transport } from "@nova/messaging";
import { FakeBroker } from "@nova/messaging/test";
import { adminContext, SchedulerAPI } from "@nova/rpcapi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSchedulerService } from "../src/index.js";
import { addComputeHost, freshCell, specFor, uuid } from "./harness.js";

const tiny = { vcpus: 1, memory_mb: 64, root_gb: 1 };

// Makes a cell database stop answering: while held, every call on its node and service tables waits (as a query
// on a hung server does) and runs when released.
function holdable(db: CellDatabase) {
  let gate: Promise<void> | undefined;
  let open = () => {};
  let waiting = 0;
  const calls: Array<[Record<string, unknown>, string[]]> = [
    [
      db.computeNodes as unknown as Record<string, unknown>,
      ["list", "listChangedSince", "getByUuid", "claim"],
    ],
    [db.services as unknown as Record<string, unknown>, ["list", "listChangedSince"]],
  ];
  for (const [table, names] of calls) {
    for (const name of names) {
      const real = table[name] as (...a: unknown[]) => unknown;
      table[name] = async (...args: unknown[]) => {
        if (gate) {
          waiting++;
          await gate;
          waiting--;
        }
        return real.apply(table, args);
      };
    }
  }
  return {
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    get waiting() {
      return waiting;
    },
  };
}

describe("a scheduler over two cells when one cell's database stops answering", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("places in the other cell, gives a late claim back, and schedules to the cell again once it answers", async () => {
    const clock = new FakeClock(Date.parse("2026-12-07T09:00:00Z"));
    const broker = new FakeBroker();
    const [a, b] = [await freshCell("sqlite", clock), await freshCell("sqlite", clock)];
    const transports = [0, 1].map(() => new Transport("fake://", { fakeBroker: broker, clock }));
    await addComputeHost(a.cell, "a1", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    const b1 = await addComputeHost(b.cell, "b1", { vcpus: 8, memory_mb: 8192, local_gb: 100 });
    const logger = new MemoryLogger();
    const service = createSchedulerService({
      transport: transports[0]!,
      cellDb: a.cell,
      cellUuid: "cell-a",
      otherCells: async () => [{ cellUuid: "cell-b", cellDb: b.cell }],
      clock,
      logger,
      config: {
        DEFAULT: { host: "sched", cell_timeout: 3 },
        scheduler: { host_state_refresh_interval: 1 },
      },
      random: () => 0,
    });
    const cellB = holdable(b.cell);
    cleanup.push(async () => {
      cellB.release();
      await service.stop();
      for (const t of transports) await t.close();
      await a.dispose();
      await b.dispose();
    });
    await service.start();
    const api = new SchedulerAPI({ transport: transports[1]! });
    const place = async (n: number) =>
      (await api.selectDestinations(adminContext(), specFor(tiny, uuid(n)), [uuid(n)]))[0]![0]!.service_host;

    expect(await place(1)).toBe("a1"); // cell a's turn
    cellB.hold();
    // Cell b's turn: its claim hangs until cell_timeout, then cell a is asked.
    const second = place(2);
    await vi.waitFor(() => expect(cellB.waiting).toBeGreaterThan(0));
    await clock.advance(3_000);
    expect(await second).toBe("a1");
    // Cell b is passed over now, on its turn too, without waiting.
    expect(await place(3)).toBe("a1");
    expect(await place(4)).toBe("a1");
    // The database answers again: the claim it finished late is given back, and the next poll brings it back.
    cellB.release();
    await vi.waitFor(() =>
      expect(
        logger.records.some((e) => e.message?.startsWith("a placement finished after cell_timeout")),
      ).toBe(true),
    );
    await vi.waitFor(async () => expect((await b.cell.computeNodes.getByUuid(b1.uuid)).vcpus_used).toBe(0));
    await clock.advance(1_000);
    await vi.waitFor(() =>
      expect(logger.records.some((e) => e.message === "cell answers again; scheduling to it")).toBe(true),
    );
    const hosts = [await place(5), await place(6)];
    expect(hosts).toContain("b1");
  });
});
