import { NovaException } from "@nova/rpcapi";

/**
 * Nova's ObjectActionError: an object_action / object_class_action_versions request this conductor cannot
 * run (unknown object or method, missing fields, a primitive that does not decode). Sent back to the caller
 * as `nova.exception.ObjectActionError`, so Python and TS peers both see why.
 */
export class ObjectActionError extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string = "Object action %(action)s failed because: %(reason)s";
  /** The HTTP status the API answers with. */
  static override readonly httpCode: number = 400;

  constructor(action: string, reason: string) {
    super({ action, reason });
  }
}
