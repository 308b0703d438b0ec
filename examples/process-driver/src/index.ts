// @nova-examples/process-driver: a nova-compute driver whose guests are local processes.
/** The driver, its options, and the guest it runs by default. */
export { DEFAULT_GUEST_COMMAND, ProcessDriver, type ProcessDriverOptions } from "./process-driver.js";
