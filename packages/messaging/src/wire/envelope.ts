import { MalformedMessage } from "../errors/malformed-message.js";
import { pythonJsonDumps } from "./python-json.js";

/** The envelope version oslo.messaging 14 writes. */
export const OSLO_VERSION = "2.0";
const OUR_MAJOR = 2;
const OUR_MINOR = 0;

/** Wraps a message in oslo's 2.0 envelope: the message JSON-encoded a second time, as a string. */
export function serializeMsg(message: Record<string, unknown>): string {
  // The inner text is pure ASCII, so JSON.stringify escapes it exactly as Python would.
  return `{"oslo.version": "${OSLO_VERSION}", "oslo.message": ${JSON.stringify(pythonJsonDumps(message))}}`;
}

/**
 * Unwraps a body: a 2.x envelope is decoded twice; a JSON object without both envelope keys is a bare 1.0
 * message used as is (oslo's rule). Anything else throws MalformedMessage.
 */
export function deserializeMsg(body: string): Record<string, unknown> {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch (err) {
    throw new MalformedMessage("body is not JSON", err);
  }
  if (typeof outer !== "object" || outer === null || Array.isArray(outer)) {
    throw new MalformedMessage("body is not a JSON object");
  }
  const o = outer as Record<string, unknown>;
  if (!("oslo.version" in o && "oslo.message" in o)) return o;
  const version = o["oslo.version"];
  if (version !== OSLO_VERSION) {
    const m = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version) : null;
    if (!m || Number(m[1]) !== OUR_MAJOR || Number(m[2]) > OUR_MINOR) {
      throw new MalformedMessage(`unsupported envelope version ${JSON.stringify(version)}`);
    }
  }
  const inner = o["oslo.message"];
  if (typeof inner !== "string") throw new MalformedMessage("oslo.message is not a string");
  let msg: unknown;
  try {
    msg = JSON.parse(inner);
  } catch (err) {
    throw new MalformedMessage("oslo.message is not JSON", err);
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    throw new MalformedMessage("oslo.message is not a JSON object");
  }
  return msg as Record<string, unknown>;
}
