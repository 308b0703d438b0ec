/** The endpoint `nova-rpc serve` runs (version 1.5: echo, add, fail, sleep). */
export { createTestEndpoint, TestEndpointError } from "../cli/test-endpoint.js";
/** In-process broker for tests: share one between transports built with `fake://`. */
export { FakeBroker } from "../drivers/fake-broker.js";
/** The `fake://` driver, to pass as `driver` or inspect. */
export { FakeDriver } from "../drivers/fake-driver.js";
