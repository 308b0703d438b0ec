import { ApiVersion, MAX_API_VERSION, MIN_API_VERSION } from "./api-version.js";
import { MicroversionNotSupportedError } from "./errors/microversion-not-supported-error.js";

/** The outcome of a negotiation: the version chosen and the server's range. */
export interface NegotiatedVersion {
  /** The microversion both sides speak that the client will send. */
  version: ApiVersion;
  /** The server's lowest microversion. */
  serverMin: ApiVersion;
  /** The server's highest microversion. */
  serverMax: ApiVersion;
}

/**
 * The highest microversion within the server's range (`min_version`..`version` of its version document), the
 * client's `min`..`max` (default 2.1 .. the highest this SDK knows) and, as keystoneauth does, throws when they
 * do not overlap. A server without microversions (empty `version`) only speaks 2.1.
 */
export function negotiateMicroversion(
  server: { version: string; min_version: string },
  range: { min?: string | undefined; max?: string | undefined } = {},
): NegotiatedVersion {
  const serverMax = server.version ? ApiVersion.parse(server.version) : MIN_API_VERSION;
  const serverMin = server.min_version ? ApiVersion.parse(server.min_version) : MIN_API_VERSION;
  if (!serverMax || !serverMin) {
    throw new MicroversionNotSupportedError(
      `the server reported a malformed microversion range ${server.min_version}..${server.version}`,
      server.min_version,
      server.version,
    );
  }
  const wantedMin = parseOr(range.min, MIN_API_VERSION);
  const wantedMax = range.max === "latest" ? MAX_API_VERSION : parseOr(range.max, MAX_API_VERSION);
  const top = serverMax.compare(wantedMax) < 0 ? serverMax : wantedMax;
  const bottom = serverMin.compare(wantedMin) > 0 ? serverMin : wantedMin;
  if (top.compare(bottom) < 0) {
    throw new MicroversionNotSupportedError(
      `the server speaks ${serverMin}..${serverMax}, the client wants ${wantedMin}..${wantedMax}`,
      serverMin.toString(),
      serverMax.toString(),
    );
  }
  return { version: top, serverMin, serverMax };
}

function parseOr(text: string | undefined, fallback: ApiVersion): ApiVersion {
  if (text === undefined) return fallback;
  const version = ApiVersion.parse(text);
  if (!version) throw new TypeError(`not a microversion: ${text}`);
  return version;
}
