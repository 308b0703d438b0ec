import { NovaError } from "@nova/core";
import { defaultRemoteErrors, type RemoteErrorFactory, type RemoteErrorRegistry } from "@nova/messaging";

/** The Python module Nova's exceptions live in: what travels as the failure's `module`. */
export const NOVA_EXCEPTION_MODULE = "nova.exception";

type Kwargs = Record<string, unknown>;

/**
 * Nova's exception base: a message formatted from keyword arguments, an HTTP-ish status, and the kwargs that
 * travel in oslo's failure JSON so the receiver (TS or Python) rebuilds the same exception. The class name is
 * Nova's (it is the `name`, and the exception class on the wire); `code` is that name in UPPER_SNAKE_CASE
 * (`InstanceNotFound` -> `INSTANCE_NOT_FOUND`).
 */
export class NovaException extends NovaError {
  /** Nova's `msg_fmt`: `%(key)s` placeholders filled from the kwargs. */
  static readonly msgFmt: string = "An unknown exception occurred.";
  /** Nova's `code`: the HTTP status the API answers with; sent as the `code` kwarg. */
  static readonly httpCode: number = 500;
  /** Python module, for the failure JSON. */
  readonly module = NOVA_EXCEPTION_MODULE;
  /** The keyword arguments, `code` included, as Nova's exception carries them. */
  readonly kwargs: Kwargs;

  /** Formats the class's `msgFmt` with `kwargs`, unless `message` (a remote one, kept as sent) is given. */
  constructor(kwargs: Kwargs = {}, message?: string) {
    const ctor = new.target as unknown as typeof NovaException;
    const full = { code: ctor.httpCode, ...kwargs };
    super(upperSnake(ctor.name), message ?? formatMessage(ctor.msgFmt, full));
    this.kwargs = full;
  }

  /** The HTTP status the API maps this exception to. */
  get httpStatus(): number {
    return (this.constructor as typeof NovaException).httpCode;
  }
}

function upperSnake(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function formatMessage(fmt: string, kwargs: Kwargs): string {
  // Python's `msg_fmt % kwargs`; a missing key leaves the format as it is, as Nova logs and carries on.
  return fmt.replace(/%\((\w+)\)s/g, (whole, key: string) => (key in kwargs ? String(kwargs[key]) : whole));
}

/**
 * A base for one Nova exception: `base` with Nova's `msg_fmt` and, when it differs from the base's, its HTTP
 * code. Declare each as `class Name extends novaException(Base, "fmt", 404) {}`, so the class keeps Nova's name.
 */
export function novaException<B extends typeof NovaException>(base: B, msgFmt: string, httpCode?: number): B {
  const Base = base as typeof NovaException;
  return class extends Base {
    static override readonly msgFmt: string = msgFmt;
    static override readonly httpCode: number = httpCode ?? Base.httpCode;
  } as unknown as B;
}

/** No host passed the filters (or every alternate failed). */
export class NoValidHost extends novaException(NovaException, "No valid host was found. %(reason)s") {}
/** Every alternate host was tried and failed. */
export class MaxRetriesExceeded extends novaException(
  NoValidHost,
  "Exceeded maximum number of retries. %(reason)s",
) {}
/** The instance does not exist (or was deleted). */
export class InstanceNotFound extends novaException(
  NovaException,
  "Instance %(instance_id)s could not be found.",
  404,
) {}
/** A conditional instance update found another state than expected. */
export class UnexpectedTaskStateError extends novaException(
  NovaException,
  "Conflict updating instance %(instance_uuid)s. Expected: %(expected)s. Actual: %(actual)s",
) {}
/** The instance is being deleted, so the update was refused. */
export class UnexpectedDeletingTaskStateError extends UnexpectedTaskStateError {}
/** The action is not allowed in the instance's current state. */
export class InstanceInvalidState extends novaException(
  NovaException,
  "Instance %(instance_uuid)s in %(attr)s %(state)s. Cannot %(method)s while the instance is in this state.",
  400,
) {}
/** The compute service of the host is down or unreachable. */
export class ComputeServiceUnavailable extends novaException(
  NovaException,
  "Compute service of %(host)s is unavailable at this time.",
  503,
) {}
/** A build failed on a host in a way another host may not: try an alternate. */
export class RescheduledException extends novaException(
  NovaException,
  "Build of instance %(instance_uuid)s was re-scheduled: %(reason)s",
) {}
/** A build failed in a way no other host would fix. */
export class BuildAbortException extends novaException(
  NovaException,
  "Build of instance %(instance_uuid)s aborted: %(reason)s",
) {}
/** The service row is gone. */
export class ServiceNotFound extends novaException(
  NovaException,
  "Service %(service_id)s could not be found.",
  404,
) {}
/** No compute node / service for that host. */
export class ComputeHostNotFound extends novaException(
  NovaException,
  "Compute host %(host)s could not be found.",
  404,
) {}
/** The flavor does not exist. */
export class FlavorNotFound extends novaException(
  NovaException,
  "Flavor %(flavor_id)s could not be found.",
  404,
) {}
/** The instance is not running (for console output, say). */
export class InstanceNotRunning extends novaException(
  NovaException,
  "Instance %(instance_id)s is not running.",
  400,
) {}
/** The guest has no console log to show (a NotFound in Nova: 404 at the API). */
export class ConsoleNotAvailable extends novaException(
  NovaException,
  "Guest does not have a console available.",
  404,
) {}

/** No server group has that uuid (or name). */
export class InstanceGroupNotFound extends novaException(
  NovaException,
  "Instance group %(group_uuid)s could not be found.",
  404,
) {}
/** Starting the instance on this host would break its server group's policy (the late check). */
export class GroupAffinityViolation extends novaException(
  NovaException,
  "%(policy)s instance group policy was violated",
) {}

/** A move (resize, cold migration) cannot go on (Nova's MigrationError). */
export class MigrationError extends novaException(NovaException, "Migration error: %(reason)s") {}

/** A resize cannot go on, e.g. to the same host without allow_resize_to_same_host (Nova's ResizeError). */
export class ResizeError extends novaException(NovaException, "Resize error: %(reason)s") {}

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
  InstanceGroupNotFound,
  GroupAffinityViolation,
  MigrationError,
  ResizeError,
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
