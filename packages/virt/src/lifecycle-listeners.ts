import type { LifecycleEvent, LifecycleListener } from "./lifecycle-event.js";

/** The listeners a driver feeds lifecycle events to; one listener's error never reaches the driver or the others. */
export class LifecycleListeners {
  readonly #listeners = new Set<LifecycleListener>();
  readonly #onListenerError: (error: unknown, event: LifecycleEvent) => void;

  /** `onListenerError` hears about a listener that threw (the event still reaches the others). */
  constructor(onListenerError: (error: unknown, event: LifecycleEvent) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns its unsubscribe. */
  add(listener: LifecycleListener): () => void {
    // Wrap so the same function registered twice gets two independent subscriptions.
    const entry: LifecycleListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Delivers an event to every listener. */
  emit(event: LifecycleEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }

  /** How many listeners are registered. */
  get size(): number {
    return this.#listeners.size;
  }
}
