import { PowerState as NovaPowerState, type PowerStateValue } from "@nova/objects";

/** Nova's power states (the table lives in @nova/objects): what the hypervisor says a guest is doing. */
export const PowerState = NovaPowerState;

/** One of Nova's power state numbers. */
export type PowerState = PowerStateValue;

export { isPowerState, powerStateName } from "@nova/objects";
