import { NovaException, novaException } from "@nova/rpcapi";

/** A rebuild asked to keep the ephemeral disk from a driver that rebuilds by destroy and spawn (Nova's). */
export class PreserveEphemeralNotSupported extends novaException(
  NovaException,
  "The current driver does not support preserving ephemeral partitions.",
  400,
) {}
