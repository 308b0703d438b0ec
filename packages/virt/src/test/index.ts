// Helpers for other packages' tests: the fake driver and a clock that moves only when told.
/** The in-memory simulated host (also exported from `@nova/virt`). */
export { FakeDriver, type FakeDriverOptions } from "../fake/fake-driver.js";
/** Builders for driver inputs in tests. */
export { testFlavor, testImageMeta, testInstance } from "./builders.js";
/** A deterministic clock for spawn delays and timeouts. */
export { ManualClock } from "./manual-clock.js";
