import { MessagingError } from "./messaging-error.js";

/** The requested version is above the client's version cap; oslo's `RPCVersionCapError`. */
export class RpcVersionCapError extends MessagingError {
  /** The version asked for. */
  readonly version: string;
  /** The client's cap. */
  readonly versionCap: string;

  /** For a `version` above `versionCap`. */
  constructor(version: string, versionCap: string) {
    super(
      "MESSAGING_RPC_VERSION_CAP",
      `Requested message version, ${version} is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap ${versionCap}.`,
    );
    this.version = version;
    this.versionCap = versionCap;
  }
}
