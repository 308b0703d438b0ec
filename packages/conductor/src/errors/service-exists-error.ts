import { NovaException } from "@nova/rpcapi";

/** Nova's ServiceBinaryExists: Service.create for a host that already runs that binary. */
export class ServiceBinaryExists extends NovaException {
  static override readonly msgFmt: string = "Service with host %(host)s binary %(binary)s exists.";
  static override readonly httpCode: number = 409;
}
