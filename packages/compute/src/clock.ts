import type { Clock as CoreClock } from "@nova/core";
import { systemClock as coreSystemClock } from "@nova/core";

/** Time as nova-compute sees it (core's Clock): injected so tests never sleep. */
export type Clock = CoreClock;

/** The wall clock. */
export const systemClock: Clock = coreSystemClock;
