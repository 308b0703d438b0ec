export { type Clock, sleepOn, systemClock, type TimerHandle, type TimerOptions } from "./clock.js";
export { errorMessage, type Logger, silentLogger } from "./logger.js";
export { hasErrorCode, NovaError, type NovaErrorOptions } from "./nova-error.js";
export { booleanInput, listInput, numberInput } from "./option-input.js";
export { InvalidOptionValue, parseBoolean, parseSecondsToMs } from "./option-values.js";
export { PeriodicTask, type PeriodicTaskOptions } from "./periodic-task.js";
export { InvalidRegexError, translatePythonRegex } from "./python-regex.js";
export { ReadCoalescer } from "./read-coalescer.js";
export { type RetryOptions, retry, retryDelay } from "./retry.js";
