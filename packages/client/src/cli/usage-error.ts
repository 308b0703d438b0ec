import { NovaError } from "@nova/core";

/** The command line is wrong (unknown command or option, a missing argument): exit 2, nothing sent. */
export class UsageError extends NovaError {
  /** A usage error; `helpFor` names the command whose help the message points to. */
  constructor(
    message: string,
    readonly helpFor: string = "",
  ) {
    super("USAGE_ERROR", message);
  }
}
