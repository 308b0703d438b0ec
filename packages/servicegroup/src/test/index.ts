// Helpers for tests of the service group and its users: the group in one process, without a conductor.
/** The `memory` servicegroup driver: reports recorded straight into an in-memory store. */
export { createMemoryDriver } from "../memory-driver.js";
/** A HeartbeatStore in memory, with a setter for operator changes (forced down, disabled). */
export { InMemoryHeartbeatStore } from "../memory-heartbeat-store.js";
