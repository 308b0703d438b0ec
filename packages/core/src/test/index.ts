export { FakeClock } from "./fake-clock.js";
export { type LogRecord, MemoryLogger } from "./memory-logger.js";
