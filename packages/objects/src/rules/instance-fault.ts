import type { InstanceFault } from "../objects/instance-fault.js";

/** Nova's column limit for a fault message (utils.safe_truncate(message, 255)). */
const MAX_MESSAGE = 255;

/** The fields of a new instance fault row. */
export type InstanceFaultValues = Pick<
  InstanceFault,
  "instance_uuid" | "code" | "message" | "details" | "host"
>;

/**
 * The fault row Nova records for an error (nova/compute/utils.py add_instance_fault_from_exc and
 * exception_to_dict). A Nova exception (what carries `kwargs`, as Nova tests `hasattr(fault, "kwargs")`) keeps
 * its message and `kwargs.code`; anything else shows only its class name (its text may hold secrets) with code
 * 500. Details are the stack for code 500 only (the API shows them to admins), unless the caller has a better
 * explanation to record (the scheduler's reasons, the state a build timed out in).
 */
export function instanceFaultFromError(
  error: unknown,
  instanceUuid: string,
  host: string | null,
  details?: string | null,
): InstanceFaultValues {
  const kwargs = novaKwargs(error);
  const code = kwargs && typeof kwargs.code === "number" ? kwargs.code : 500;
  const message =
    kwargs && error instanceof Error
      ? error.message
      : error instanceof Error
        ? error.name || "Error"
        : "Error";
  const stack =
    code === 500 && error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : "";
  return {
    instance_uuid: instanceUuid,
    code,
    message: message.slice(0, MAX_MESSAGE),
    details: details ?? stack,
    host,
  };
}

function novaKwargs(error: unknown): Record<string, unknown> | null {
  if (typeof error !== "object" || error === null || !("kwargs" in error)) return null;
  const kwargs = (error as { kwargs: unknown }).kwargs;
  return typeof kwargs === "object" && kwargs !== null ? (kwargs as Record<string, unknown>) : null;
}
