import {
  BuildAbortException,
  InstanceNotFound,
  type NovaException,
  RescheduledException,
  UnexpectedDeletingTaskStateError,
} from "@nova/rpcapi";
import { VirtError } from "@nova/virt";

// Driver failures no other host would fix: the image itself is the problem.
const HOPELESS_VIRT_CODES = new Set(["IMAGE_NOT_FOUND", "IMAGE_UNACCEPTABLE"]);

/**
 * What a failed spawn becomes for the conductor, as Nova's _build_and_run_instance sorts exceptions: a guest
 * that vanished (deleted during the build) stays InstanceNotFound; an image that cannot be used is a
 * BuildAbortException; anything else (spawn failures, lack of resources, a broken hypervisor) is a
 * RescheduledException, since another host may well succeed.
 */
export function classifySpawnFailure(error: unknown, instanceUuid: string): NovaException {
  if (
    error instanceof InstanceNotFound ||
    error instanceof UnexpectedDeletingTaskStateError ||
    error instanceof BuildAbortException ||
    error instanceof RescheduledException
  ) {
    return error;
  }
  const reason = error instanceof Error ? error.message : String(error);
  if (VirtError.isInstance(error)) {
    if (error.code === "INSTANCE_NOT_FOUND") return new InstanceNotFound({ instance_id: instanceUuid });
    if (HOPELESS_VIRT_CODES.has(error.code)) {
      return new BuildAbortException({ instance_uuid: instanceUuid, reason });
    }
  }
  return new RescheduledException({ instance_uuid: instanceUuid, reason });
}
