import { NovaException } from "@nova/rpcapi";

/** The build did not finish within instance_build_timeout; what the stuck-build check records as the fault. */
export class InstanceBuildTimeout extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string =
    "Build of instance %(instance_uuid)s timed out after %(timeout)s seconds.";
}
