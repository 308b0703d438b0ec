import { NovaError } from "@nova/core";

/**
 * An error answer with Nova's fault body (`{"<faultName>": {"code": status, "message": ...}}`). Its code is
 * `HTTP_<status>` (`HTTP_404`).
 */
export class HttpFault extends NovaError {
  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP_${status}`, message);
  }

  /** 400 badRequest. */
  static badRequest(message: string): HttpFault {
    return new HttpFault(400, message);
  }

  /** 501 notImplemented: what the compute cannot do (Nova's `raise_feature_not_supported`). */
  static notImplemented(message = "The requested functionality is not supported."): HttpFault {
    return new HttpFault(501, message);
  }

  /** 403 forbidden. */
  static forbidden(message: string): HttpFault {
    return new HttpFault(403, message);
  }

  /** 404 itemNotFound, with webob's default message unless one is given. */
  static notFound(message = "The resource could not be found."): HttpFault {
    return new HttpFault(404, message);
  }

  /** 409 conflictingRequest. */
  static conflict(message: string): HttpFault {
    return new HttpFault(409, message);
  }

  /** 403 for a policy rule the caller does not pass, worded as Nova words it. */
  static policy(rule: string): HttpFault {
    return new HttpFault(403, `Policy doesn't allow ${rule} to be performed.`);
  }
}
