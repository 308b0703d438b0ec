import { NovaException } from "@nova/rpcapi";

/** Nova's ServiceBinaryExists: Service.create for a host that already runs that binary. */
export class ServiceBinaryExists extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string = "Service with host %(host)s binary %(binary)s exists.";
  /** The HTTP status the API answers with. */
  static override readonly httpCode: number = 409;
}
