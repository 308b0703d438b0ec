// Helpers for other packages' tests: the fake driver and builders of its inputs.
/** The in-memory simulated host (also exported from `@nova/virt`). */
export { FakeDriver, type FakeDriverOptions } from "../fake/fake-driver.js";
/** Builders for driver inputs in tests. */
export { testFlavor, testImageMeta, testInstance } from "./builders.js";
/** The driver conformance kit: the behaviour checks every compute driver must pass. */
export {
  type DriverConformanceCheck,
  type DriverConformanceOptions,
  type DriverConformanceReport,
  type DriverFeature,
  driverConformanceChecks,
  runDriverConformance,
} from "./driver-conformance.js";
