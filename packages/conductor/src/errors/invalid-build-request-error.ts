import { NovaException } from "@nova/rpcapi";

/** A schedule_and_build_instances request that cannot be built (missing or mismatched build requests/specs). */
export class InvalidBuildRequest extends NovaException {
  static override readonly msgFmt: string = "Invalid build request: %(reason)s";
  static override readonly httpCode: number = 400;

  constructor(reason: string) {
    super({ reason });
  }
}
