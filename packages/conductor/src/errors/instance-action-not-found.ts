import { NovaException } from "@nova/rpcapi";

/** Nova's InstanceActionNotFound: an event for a request that started no action on that instance. */
export class InstanceActionNotFound extends NovaException {
  /** Nova's message format. */
  static override readonly msgFmt: string =
    "Action for request_id %(request_id)s on instance %(instance_uuid)s not found";
  /** The HTTP status the API answers with. */
  static override readonly httpCode: number = 404;
}
