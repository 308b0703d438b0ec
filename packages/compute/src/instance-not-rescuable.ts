import { NovaException, novaException } from "@nova/rpcapi";

/** A rescue the driver could not do (Nova's InstanceNotRescuable); the instance is left in ERROR. */
export class InstanceNotRescuable extends novaException(
  NovaException,
  "Instance %(instance_id)s cannot be rescued: %(reason)s",
  400,
) {}
