import { FakeClock } from "@nova/core/test";
import { PowerState } from "@nova/virt";
import { describe, expect, it } from "vitest";
import { DomainEventType, DomainState } from "../libvirt-constants.js";
import { LifecycleEventFilter, transitionOf } from "./lifecycle-event-filter.js";
import { powerStateOf } from "./power-state-mapping.js";

describe("libvirt to Nova", () => {
  it("maps domain states as Nova's LIBVIRT_POWER_STATE, with managed save as suspended", () => {
    expect(powerStateOf(DomainState.NOSTATE)).toBe(PowerState.NOSTATE);
    expect(powerStateOf(DomainState.RUNNING)).toBe(PowerState.RUNNING);
    expect(powerStateOf(DomainState.BLOCKED)).toBe(PowerState.RUNNING);
    expect(powerStateOf(DomainState.PAUSED)).toBe(PowerState.PAUSED);
    expect(powerStateOf(DomainState.SHUTDOWN)).toBe(PowerState.SHUTDOWN);
    expect(powerStateOf(DomainState.SHUTOFF, 1)).toBe(PowerState.SHUTDOWN);
    expect(powerStateOf(DomainState.SHUTOFF, 5)).toBe(PowerState.SUSPENDED);
    expect(powerStateOf(DomainState.CRASHED)).toBe(PowerState.CRASHED);
    expect(powerStateOf(DomainState.PMSUSPENDED)).toBe(PowerState.SUSPENDED);
  });

  it("maps lifecycle events to transitions, ignoring define/undefine/shutdown", () => {
    expect(transitionOf(DomainEventType.STARTED, 0)).toBe("started");
    expect(transitionOf(DomainEventType.SUSPENDED, 0)).toBe("paused");
    expect(transitionOf(DomainEventType.RESUMED, 0)).toBe("resumed");
    expect(transitionOf(DomainEventType.STOPPED, 1)).toBe("stopped");
    expect(transitionOf(DomainEventType.STOPPED, 4)).toBe("suspended");
    expect(transitionOf(DomainEventType.CRASHED, 0)).toBe("stopped");
    expect(transitionOf(DomainEventType.DEFINED, 0)).toBeUndefined();
    expect(transitionOf(DomainEventType.SHUTDOWN, 0)).toBeUndefined();
  });

  it("holds stopped events per guest, and a later event for that guest cancels them", async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    const filter = new LifecycleEventFilter({
      clock,
      delayMs: 15_000,
      emit: (e) => seen.push(`${e.uuid}:${e.transition}`),
    });
    const msg = (uuid: string, event: number) => ({ domain: { name: uuid, uuid, id: 1 }, event, detail: 0 });
    filter.handle(msg("a", DomainEventType.STOPPED));
    filter.handle(msg("b", DomainEventType.STOPPED));
    await clock.advance(5_000);
    filter.handle(msg("a", DomainEventType.STARTED));
    await clock.advance(10_000);
    expect(seen).toEqual(["a:started", "b:stopped"]);
    filter.handle(msg("c", DomainEventType.STOPPED));
    filter.close();
    await clock.advance(15_000);
    expect(seen).toEqual(["a:started", "b:stopped"]);
  });
});
