import { NovaException } from "@nova/rpcapi";

/** A schedule_and_build_instances request that cannot be built (missing or mismatched build requests/specs). */
export class InvalidBuildRequest extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string = "Invalid build request: %(reason)s";
  /** The HTTP status the API answers with. */
  static override readonly httpCode: number = 400;

  constructor(reason: string) {
    super({ reason });
  }
}
