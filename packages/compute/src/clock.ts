import { type Clock as ServiceGroupClock, systemClock as serviceGroupSystemClock } from "@nova/servicegroup";

/** Time as nova-compute sees it (the same shape as @nova/servicegroup's clock): injected so tests never sleep. */
export type Clock = ServiceGroupClock;

/** The wall clock, with unref'd timers so periodic tasks never keep a process alive. */
export const systemClock: Clock = serviceGroupSystemClock;
