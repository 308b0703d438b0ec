import type { Clock } from "@nova/core";
import type { LifecycleEvent, LifecycleTransition } from "@nova/virt";
import { DomainEventType } from "../libvirt-constants.js";
import type { DomainLifecycleMessage } from "../rpc/remote-types.js";

/** VIR_DOMAIN_EVENT_STOPPED_SAVED: stopped by a managed save (our suspend). */
const STOPPED_SAVED = 4;

/** libvirt's lifecycle event to Nova's transition (as Nova's Host maps them); undefined for those Nova ignores. */
export function transitionOf(event: number, detail: number): LifecycleTransition | undefined {
  switch (event) {
    case DomainEventType.STARTED:
      return "started";
    case DomainEventType.RESUMED:
      return "resumed";
    case DomainEventType.SUSPENDED:
      return "paused";
    case DomainEventType.STOPPED:
      return detail === STOPPED_SAVED ? "suspended" : "stopped";
    case DomainEventType.PMSUSPENDED:
      return "suspended";
    case DomainEventType.CRASHED:
      return "stopped";
    default:
      return undefined; // DEFINED, UNDEFINED, SHUTDOWN (a STOPPED follows)
  }
}

/**
 * Turns libvirt events into Nova lifecycle events, holding "stopped" back for a while as Nova does: a reboot
 * is a stop then a start, and the compute manager must not power off an instance that is only rebooting. Any
 * other event for the guest within the delay cancels the held "stopped".
 */
export class LifecycleEventFilter {
  readonly #clock: Clock;
  readonly #delayMs: number;
  readonly #emit: (event: LifecycleEvent) => void;
  readonly #held = new Map<string, object>();
  #closed = false;

  /** Holds "stopped" for `delayMs` on `clock`; `emit` receives the events let through. */
  constructor(options: { clock: Clock; delayMs: number; emit: (event: LifecycleEvent) => void }) {
    this.#clock = options.clock;
    this.#delayMs = options.delayMs;
    this.#emit = options.emit;
  }

  /** Handles one message from libvirt. */
  handle(message: DomainLifecycleMessage): void {
    if (this.#closed) return;
    const transition = transitionOf(message.event, message.detail);
    if (!transition) return;
    const uuid = message.domain.uuid;
    const event: LifecycleEvent = { uuid, transition, timestamp: this.#clock.now() };
    if (transition !== "stopped" || this.#delayMs === 0) {
      this.#held.delete(uuid);
      this.#emit(event);
      return;
    }
    const token = {};
    this.#held.set(uuid, token);
    void this.#clock.sleep(this.#delayMs).then(() => {
      if (this.#closed || this.#held.get(uuid) !== token) return;
      this.#held.delete(uuid);
      this.#emit({ ...event, timestamp: this.#clock.now() });
    });
  }

  /** Drops held events and ignores everything after. */
  close(): void {
    this.#closed = true;
    this.#held.clear();
  }
}
