import type { XdrReader } from "./xdr-reader.js";
import type { XdrWriter } from "./xdr-writer.js";

// Wire constants from libvirt's virnetprotocol.x (the RPC framing every libvirt program shares).

/** The remote driver's program number and version. */
export const REMOTE_PROGRAM = 0x20008086;
/** See {@link REMOTE_PROGRAM}. */
export const REMOTE_PROTOCOL_VERSION = 1;
/** The keepalive program ("keep") and its procedures. */
export const KEEPALIVE_PROGRAM = 0x6b656570;
/** See {@link KEEPALIVE_PROGRAM}. */
export const KEEPALIVE_PROTOCOL_VERSION = 1;
/** See {@link KEEPALIVE_PROGRAM}. */
export const KEEPALIVE_PROC_PING = 1;
/** See {@link KEEPALIVE_PROGRAM}. */
export const KEEPALIVE_PROC_PONG = 2;

/** Largest message libvirt sends or accepts, length word excluded. */
export const MESSAGE_MAX = 16 * 1024 * 1024;
/** Bytes of the length word plus the header. */
export const FRAME_PREFIX = 4 + 24;

/** virNetMessageType. */
export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
} as const;

/** virNetMessageStatus. */
export const MessageStatus = {
  OK: 0,
  ERROR: 1,
  CONTINUE: 2,
} as const;

/** virNetMessageHeader. */
export interface MessageHeader {
  /** The program number. */
  readonly program: number;
  /** The program's version. */
  readonly version: number;
  /** The procedure number. */
  readonly procedure: number;
  /** The message type (MessageType). */
  readonly type: number;
  /** Pairs a reply with its call. */
  readonly serial: number;
  /** The message status (MessageStatus). */
  readonly status: number;
}

/** Writes a header (the length word must be written before it by the caller). */
export function writeHeader(w: XdrWriter, h: MessageHeader): void {
  w.uint(h.program).uint(h.version).int(h.procedure).int(h.type).uint(h.serial).int(h.status);
}

/** Reads a header. */
export function readHeader(r: XdrReader): MessageHeader {
  return {
    program: r.uint(),
    version: r.uint(),
    procedure: r.int(),
    type: r.int(),
    serial: r.uint(),
    status: r.int(),
  };
}
