// Helpers for other packages' tests: the fake driver and builders of its inputs.
/** The in-memory simulated host (also exported from `@nova/virt`). */
export { FakeDriver, type FakeDriverOptions } from "../fake/fake-driver.js";
/** Builders for driver inputs in tests. */
export { testFlavor, testImageMeta, testInstance } from "./builders.js";
