import { NovaError } from "@nova/core";

/** A name given on the command line matched no resource, or more than one (as novaclient's `find_resource`). */
export class LookupError extends NovaError {
  /** `NOT_FOUND_BY_NAME` or `AMBIGUOUS_NAME`, with the message shown to the user. */
  constructor(code: "NOT_FOUND_BY_NAME" | "AMBIGUOUS_NAME", message: string) {
    super(code, message);
  }
}
