import { NovaError, type NovaErrorOptions } from "@nova/core";

/** Base of the service group's errors: a stable UPPER_SNAKE_CASE `code` callers can switch on. */
export class ServiceGroupError extends NovaError {}

/** The services table has no row for a reporting service (deleted through the API while it still runs). */
export class ServiceNotFoundError extends ServiceGroupError {
  /** Names the service that reported. */
  constructor(
    /** The reporting service's host. */
    readonly host: string,
    /** The reporting service's binary (`nova-compute`). */
    readonly binary: string,
    options: NovaErrorOptions = {},
  ) {
    super("SERVICE_NOT_FOUND", `Service ${binary} on host ${host} could not be found.`, options);
  }
}

/** The process's servicegroup driver has no reader (a compute's `db` driver), so it cannot list services. */
export class ServiceListUnavailableError extends ServiceGroupError {
  /** Names the driver that was asked. */
  constructor(
    /** The servicegroup driver's name (`db`, `memory`). */
    readonly driver: string,
  ) {
    super(
      "SERVICE_LIST_UNAVAILABLE",
      `the ${driver} servicegroup driver of this process cannot list services`,
    );
  }
}

/** A call into the servicegroup driver outlasted its deadline (a hung plug-in): the call counts as failed. */
export class ServiceGroupDriverTimeoutError extends ServiceGroupError {
  /** Names the driver, the call and the deadline. */
  constructor(
    /** The driver's name as `servicegroup_driver` spells it. */
    readonly driver: string,
    /** The call that hung (`join`, `report`, `isUp`, `leave`). */
    readonly verb: string,
    /** The deadline, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(
      "SERVICEGROUP_DRIVER_TIMEOUT",
      `servicegroup driver ${driver}: ${verb} did not finish within ${timeoutMs} ms`,
    );
  }
}
