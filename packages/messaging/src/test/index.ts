/** In-process broker for tests: share one between transports built with `fake://`. */
export { FakeBroker } from "../drivers/fake-broker.js";
/** The `fake://` driver, to pass as `driver` or inspect. */
export { FakeDriver } from "../drivers/fake-driver.js";
/** A manual clock: time moves only when the test says so. */
export { ManualClock } from "./manual-clock.js";
/** A logger that records entries so tests can assert what was logged. */
export { type LogEntry, RecordingLogger } from "./recording-logger.js";
