import { defaultRemoteErrors, type RemoteErrorFactory, type RemoteErrorRegistry } from "@nova/messaging";

/** The Python module Nova's exceptions live in: what travels as the failure's `module`. */
export const NOVA_EXCEPTION_MODULE = "nova.exception";

type Kwargs = Record<string, unknown>;

/**
 * Nova's exception base: a message formatted from keyword arguments, an HTTP-ish `code`, and the kwargs
 * that travel in oslo's failure JSON so the receiver (TS or Python) rebuilds the same exception.
 */
export class NovaException extends Error {
  static readonly msgFmt: string = "An unknown exception occurred.";
  static readonly httpCode: number = 500;
  /** Python module, for the failure JSON. */
  readonly module = NOVA_EXCEPTION_MODULE;
  readonly kwargs: Kwargs;
  /** Stable code callers switch on: the Python class name. */
  readonly code: string;

  constructor(kwargs: Kwargs = {}, message?: string) {
    const ctor = new.target as unknown as typeof NovaException;
    const full = { code: ctor.httpCode, ...kwargs };
    super(message ?? formatMessage(ctor.msgFmt, full));
    this.name = ctor.name;
    this.code = ctor.name;
    this.kwargs = full;
  }

  /** The HTTP status the API maps this exception to. */
  get httpStatus(): number {
    return (this.constructor as typeof NovaException).httpCode;
  }
}

function formatMessage(fmt: string, kwargs: Kwargs): string {
  // Python's `msg_fmt % kwargs`; a missing key leaves the format as it is, as Nova logs and carries on.
  return fmt.replace(/%\((\w+)\)s/g, (whole, key: string) => (key in kwargs ? String(kwargs[key]) : whole));
}

/** No host passed the filters (or every alternate failed). */
export class NoValidHost extends NovaException {
  static override readonly msgFmt: string = "No valid host was found. %(reason)s";
}
/** Every alternate host was tried and failed. */
export class MaxRetriesExceeded extends NoValidHost {
  static override readonly msgFmt: string = "Exceeded maximum number of retries. %(reason)s";
}
/** The instance does not exist (or was deleted). */
export class InstanceNotFound extends NovaException {
  static override readonly msgFmt: string = "Instance %(instance_id)s could not be found.";
  static override readonly httpCode: number = 404;
}
/** A conditional instance update found another state than expected. */
export class UnexpectedTaskStateError extends NovaException {
  static override readonly msgFmt: string =
    "Conflict updating instance %(instance_uuid)s. Expected: %(expected)s. Actual: %(actual)s";
}
/** The instance is being deleted, so the update was refused. */
export class UnexpectedDeletingTaskStateError extends UnexpectedTaskStateError {}
/** The action is not allowed in the instance's current state. */
export class InstanceInvalidState extends NovaException {
  static override readonly msgFmt =
    "Instance %(instance_uuid)s in %(attr)s %(state)s. Cannot %(method)s while the instance is in this state.";
  static override readonly httpCode: number = 400;
}
/** The compute service of the host is down or unreachable. */
export class ComputeServiceUnavailable extends NovaException {
  static override readonly msgFmt: string = "Compute service of %(host)s is unavailable at this time.";
  static override readonly httpCode: number = 503;
}
/** A build failed on a host in a way another host may not: try an alternate. */
export class RescheduledException extends NovaException {
  static override readonly msgFmt: string =
    "Build of instance %(instance_uuid)s was re-scheduled: %(reason)s";
}
/** A build failed in a way no other host would fix. */
export class BuildAbortException extends NovaException {
  static override readonly msgFmt: string = "Build of instance %(instance_uuid)s aborted: %(reason)s";
}
/** The service row is gone. */
export class ServiceNotFound extends NovaException {
  static override readonly msgFmt: string = "Service %(service_id)s could not be found.";
  static override readonly httpCode: number = 404;
}
/** No compute node / service for that host. */
export class ComputeHostNotFound extends NovaException {
  static override readonly msgFmt: string = "Compute host %(host)s could not be found.";
  static override readonly httpCode: number = 404;
}
/** The flavor does not exist. */
export class FlavorNotFound extends NovaException {
  static override readonly msgFmt: string = "Flavor %(flavor_id)s could not be found.";
  static override readonly httpCode: number = 404;
}
/** The instance is not running (for console output, say). */
export class InstanceNotRunning extends NovaException {
  static override readonly msgFmt: string = "Instance %(instance_id)s is not running.";
  static override readonly httpCode: number = 400;
}

/** The guest has no console log to show (a NotFound in Nova: 404 at the API). */
export class ConsoleNotAvailable extends NovaException {
  static override readonly msgFmt: string = "Guest does not have a console available.";
  static override readonly httpCode: number = 404;
}

const novaExceptionClasses = [
  NovaException,
  NoValidHost,
  MaxRetriesExceeded,
  InstanceNotFound,
  UnexpectedTaskStateError,
  UnexpectedDeletingTaskStateError,
  InstanceInvalidState,
  ComputeServiceUnavailable,
  RescheduledException,
  BuildAbortException,
  ServiceNotFound,
  ComputeHostNotFound,
  FlavorNotFound,
  InstanceNotRunning,
  ConsoleNotAvailable,
] as const;

/**
 * The allow-list every nova-ts RPC client uses (Nova's `allowed_remote_exmods`): oslo's dispatcher errors
 * plus the Nova exceptions above, rebuilt from their kwargs with the remote message kept as it was.
 */
export const novaRemoteErrors: RemoteErrorRegistry = new Map<string, RemoteErrorFactory>([
  ...defaultRemoteErrors,
  ...novaExceptionClasses.map(
    (cls) =>
      [
        `${NOVA_EXCEPTION_MODULE}.${cls.name}`,
        (failure) => new cls(failure.kwargs, failure.message) as Error,
      ] as [string, RemoteErrorFactory],
  ),
]);
