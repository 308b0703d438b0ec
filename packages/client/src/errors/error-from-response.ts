import { ComputeApiError } from "../compute-api-error.js";
import { faultBodySchema } from "../schemas/fault.js";
import { BadRequestError } from "./bad-request-error.js";
import { ConflictError } from "./conflict-error.js";
import { ForbiddenError } from "./forbidden-error.js";
import { NotFoundError } from "./not-found-error.js";
import { OverLimitError } from "./over-limit-error.js";
import { ServerError } from "./server-error.js";
import { UnauthorizedError } from "./unauthorized-error.js";

/** The request id of a response: nova-api's `x-openstack-request-id`, or the legacy `x-compute-request-id`. */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get("x-openstack-request-id") ?? headers.get("x-compute-request-id") ?? undefined;
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110), undefined when absent or bad. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The typed error of an HTTP answer >= 400: the class follows the status, `code` and `faultName` follow Nova's
 * fault body (`{"itemNotFound": {"code": 404, "message": ...}}`), or Keystone's (`{"error": {"title": ...}}`).
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  headers: Headers,
  body: unknown,
  nowMs: number,
): ComputeApiError {
  const requestId = requestIdOf(headers);
  let faultName: string | undefined;
  let message = typeof body === "string" && body.length > 0 ? body : statusText || `HTTP ${status}`;
  const keystone = keystoneError(body);
  const fault = faultBodySchema.safeParse(body);
  if (keystone) [faultName, message] = keystone;
  else if (fault.success) {
    const [name, detail] = Object.entries(fault.data)[0]!;
    faultName = name;
    message = detail.message;
  }
  const ErrorClass = errorClassFor(status);
  return new ErrorClass(status, faultName, message, requestId, body, undefined, retryAfterMs(headers, nowMs));
}

function errorClassFor(status: number): typeof ComputeApiError {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return UnauthorizedError;
    case 403:
      return ForbiddenError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 413:
    case 429:
      return OverLimitError;
    default:
      return status >= 500 ? ServerError : ComputeApiError;
  }
}

// Keystone answers `{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}`.
function keystoneError(body: unknown): [string, string] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { title, message } = error as { title?: unknown; message?: unknown };
  if (typeof title !== "string" || typeof message !== "string") return undefined;
  return [title.charAt(0).toLowerCase() + title.slice(1).replace(/\s+/g, ""), message];
}
