import type { InstanceFault } from "@nova/objects";
import { NovaException } from "@nova/rpcapi";

/** Nova's column limit for a fault message. */
const MAX_MESSAGE = 255;

/**
 * The fault row Nova records for an error (compute_utils.add_instance_fault_from_exc): a Nova exception's
 * message and HTTP code; for anything else only the class name (its text may hold secrets) and code 500, with
 * the stack as details (Nova keeps details for 500s only; the API shows them to admins).
 */
export function faultFromError(error: unknown, instanceUuid: string, host: string): Partial<InstanceFault> {
  let message: string;
  let code = 500;
  if (error instanceof NovaException) {
    message = error.message;
    const kwCode = error.kwargs.code;
    code = typeof kwCode === "number" ? kwCode : error.httpStatus;
  } else if (error instanceof Error) {
    message = error.name || "Error";
  } else {
    message = "Error";
  }
  const details =
    code === 500 && error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : "";
  return {
    instance_uuid: instanceUuid,
    code,
    message: message.slice(0, MAX_MESSAGE),
    details,
    host,
  };
}
