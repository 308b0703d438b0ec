import { DISPATCHER_MODULE, NoSuchMethod, UnsupportedVersion } from "../errors/dispatch-errors.js";
import { MalformedMessage } from "../errors/malformed-message.js";
import type { MessagingError } from "../errors/messaging-error.js";
import { RemoteError, type RemoteFailure } from "../errors/remote-error.js";
import { pythonJsonDumps } from "./python-json.js";

/** Module reported for errors thrown by TS endpoints that do not say otherwise. */
export const DEFAULT_ERROR_MODULE = "nova_ts";

/** An error a TS endpoint may throw to control how it appears to Python peers. */
export interface RemoteErrorShape {
  /** Python class name; defaults to `error.name`. */
  name?: string;
  /** Python module; `builtins` makes a Python client rebuild e.g. `ValueError`. */
  module?: string;
  /** Keyword arguments Python rebuilds the exception with (oslo/Nova exceptions carry them). */
  kwargs?: Record<string, unknown>;
}

function stripRemote(s: string): string {
  return s.endsWith("_Remote") ? s.slice(0, -"_Remote".length) : s;
}

function tracebackOf(error: Error, className: string, module: string, message: string): string[] {
  const frames = (error.stack ?? "")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim().startsWith("at "))
    .map((l) => `  ${l.trim()}\n`);
  const qualified = module === "builtins" || module === "__main__" ? className : `${module}.${className}`;
  return ["Traceback (most recent call last):\n", ...frames, `${qualified}: ${message}\n`];
}

/** Encodes a thrown value as oslo's failure JSON string (class, module, message, tb, args, kwargs). */
export function serializeFailure(thrown: unknown): string {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const shape = error as Error & RemoteErrorShape;
  let className = stripRemote(typeof shape.name === "string" && shape.name ? shape.name : "Error");
  let module = typeof shape.module === "string" ? shape.module : DEFAULT_ERROR_MODULE;
  let kwargs = shape.kwargs && typeof shape.kwargs === "object" ? shape.kwargs : {};
  if (error instanceof RemoteError) {
    // Re-raising a remote error passes the original through, as oslo does for *_Remote classes.
    className = error.failure.className;
    module = error.failure.module;
    kwargs = error.failure.kwargs;
  }
  module = stripRemote(module);
  const message = error.message;
  return pythonJsonDumps({
    class: className,
    module,
    message,
    tb:
      error instanceof RemoteError ? error.failure.traceback : tracebackOf(error, className, module, message),
    args: [message],
    kwargs,
  });
}

/** Builds a typed error from a remote failure; register one per `module.Class` you allow. */
export type RemoteErrorFactory = (failure: RemoteFailure) => Error;

/** The allow-list of remote error types rebuilt as typed errors (oslo's `allowed_remote_exmods`). */
export type RemoteErrorRegistry = ReadonlyMap<string, RemoteErrorFactory>;

/** The errors every client rebuilds: oslo's dispatcher errors. Others become RemoteError unless registered. */
export const defaultRemoteErrors: RemoteErrorRegistry = new Map<string, RemoteErrorFactory>([
  [`${DISPATCHER_MODULE}.NoSuchMethod`, (f) => withRemote(new NoSuchMethod(methodFrom(f.message)), f)],
  [
    `${DISPATCHER_MODULE}.UnsupportedVersion`,
    (f) => {
      const m = /RPC version (\S+?)\.?(?: Attempted method: (.*))?$/.exec(f.message);
      return withRemote(new UnsupportedVersion(m?.[1] ?? "", m?.[2]), f);
    },
  ],
]);

function methodFrom(message: string): string {
  return message.replace(/^Endpoint does not support RPC method /, "");
}

function withRemote<E extends MessagingError>(error: E, failure: RemoteFailure): E {
  Object.defineProperty(error, "remote", { value: failure, enumerable: false });
  return error;
}

/** Parses oslo's failure JSON and rebuilds the error: allow-listed types typed, anything else RemoteError. */
export function deserializeFailure(data: string, allowed: RemoteErrorRegistry = defaultRemoteErrors): Error {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch (err) {
    throw new MalformedMessage("failure is not JSON", err);
  }
  if (typeof raw !== "object" || raw === null) throw new MalformedMessage("failure is not a JSON object");
  const r = raw as Record<string, unknown>;
  const failure: RemoteFailure = {
    className: String(r.class ?? "Exception"),
    module: String(r.module ?? "builtins"),
    message: typeof r.message === "string" ? r.message : String(r.message ?? ""),
    traceback: Array.isArray(r.tb) ? r.tb.map(String) : typeof r.tb === "string" ? [r.tb] : [],
    args: Array.isArray(r.args) ? r.args : [],
    kwargs: typeof r.kwargs === "object" && r.kwargs !== null ? (r.kwargs as Record<string, unknown>) : {},
  };
  const factory = allowed.get(`${failure.module}.${failure.className}`);
  return factory ? factory(failure) : new RemoteError(failure);
}
