import { MessagingError } from "./messaging-error.js";

/** The module oslo's dispatcher errors come from; kept on the wire so Python peers rebuild them. */
export const DISPATCHER_MODULE = "oslo_messaging.rpc.dispatcher";

/** A compatible endpoint exists but lacks the method; oslo's `NoSuchMethod`. */
export class NoSuchMethod extends MessagingError {
  /** oslo's dispatcher module, so Python peers rebuild the same class. */
  readonly module = DISPATCHER_MODULE;
  /** The method asked for. */
  readonly method: string;

  /** For the method asked for. */
  constructor(method: string) {
    super("MESSAGING_NO_SUCH_METHOD", `Endpoint does not support RPC method ${method}`);
    this.method = method;
  }
}

/** No endpoint matches the namespace and version; oslo's `UnsupportedVersion`. */
export class UnsupportedVersion extends MessagingError {
  /** oslo's dispatcher module, so Python peers rebuild the same class. */
  readonly module = DISPATCHER_MODULE;
  /** The version asked for. */
  readonly version: string;
  /** The method asked for, when known. */
  readonly method: string | undefined;

  /** For the version (and method) asked for. */
  constructor(version: string, method?: string) {
    super(
      "MESSAGING_UNSUPPORTED_VERSION",
      method === undefined
        ? `Endpoint does not support RPC version ${version}`
        : `Endpoint does not support RPC version ${version}. Attempted method: ${method}`,
    );
    this.version = version;
    this.method = method;
  }
}
