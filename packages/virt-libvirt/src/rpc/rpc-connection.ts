import { connect as netConnect, type Socket } from "node:net";
import { LibvirtError } from "./libvirt-error.js";
import {
  FRAME_PREFIX,
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  MESSAGE_MAX,
  type MessageHeader,
  MessageStatus,
  MessageType,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  readHeader,
  writeHeader,
} from "./message-header.js";
import { readError } from "./remote-types.js";
import { VirErrorNumber } from "./vir-error-codes.js";
import { XdrReader } from "./xdr-reader.js";
import { XdrWriter } from "./xdr-writer.js";

interface PendingCall {
  readonly procedure: number;
  readonly decode: ((r: XdrReader) => unknown) | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** Receives stream packets for one call: data while `status` is CONTINUE, then OK (end) or ERROR. */
export type StreamHandler = (packet: { status: number; data: Buffer; error?: LibvirtError }) => void;

/** Receives asynchronous messages (events) of one procedure. */
export type MessageHandler = (body: XdrReader) => void;

/**
 * One socket to libvirtd speaking its RPC framing: a 4-byte length, a 24-byte header, an XDR body. Calls carry
 * increasing serials and may be in flight together; replies are matched by serial, in any order. Asynchronous
 * messages (events) and stream packets are routed to handlers; keepalive pings are answered.
 */
export class RpcConnection {
  readonly #socket: Socket;
  readonly #pending = new Map<number, PendingCall>();
  readonly #streams = new Map<number, StreamHandler>();
  readonly #messageHandlers = new Map<number, Set<MessageHandler>>();
  readonly #closeHandlers = new Set<(error: LibvirtError) => void>();
  #serial = 0;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #frameLength = 0;
  #closed: LibvirtError | undefined;
  #lastReceived = Date.now();
  #keepaliveTimer: NodeJS.Timeout | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (error) =>
      this.#fail(LibvirtError.transport(`libvirt socket error: ${error.message}`, undefined, error)),
    );
    socket.on("close", () => this.#fail(LibvirtError.transport("connection to libvirtd closed")));
  }

  /** Connects to a libvirtd unix socket. */
  static connect(socketPath: string): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ path: socketPath });
      const onError = (error: Error) =>
        reject(
          LibvirtError.transport(
            `cannot connect to libvirtd at ${socketPath}: ${error.message}`,
            VirErrorNumber.NO_CONNECT,
            error,
          ),
        );
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(new RpcConnection(socket));
      });
    });
  }

  /** Calls currently waiting for their reply. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** True once the socket is closed (by either side). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Calls a procedure of the remote program: writes the arguments with `encode`, decodes the reply with
   * `decode`. Rejects with a LibvirtError carrying the daemon's error number when the call fails.
   */
  call<T = void>(
    procedure: number,
    encode?: (w: XdrWriter) => void,
    decode?: (r: XdrReader) => T,
    options: { onStream?: StreamHandler; onSerial?: (serial: number) => void } = {},
  ): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closed);
    const serial = this.#nextSerial();
    const frame = this.#frame(
      {
        program: REMOTE_PROGRAM,
        version: REMOTE_PROTOCOL_VERSION,
        procedure,
        type: MessageType.CALL,
        serial,
        status: MessageStatus.OK,
      },
      encode,
    );
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(serial, { procedure, decode, resolve: resolve as (v: unknown) => void, reject });
      if (options.onStream) this.#streams.set(serial, options.onStream);
      options.onSerial?.(serial);
      this.#socket.write(frame);
    });
  }

  /** Sends a stream packet for the stream opened by call `serial` (data, or the end with OK/ERROR). */
  sendStream(procedure: number, serial: number, status: number, data: Buffer = Buffer.alloc(0)): void {
    if (this.#closed) return;
    const frame = this.#frame(
      {
        program: REMOTE_PROGRAM,
        version: REMOTE_PROTOCOL_VERSION,
        procedure,
        type: MessageType.STREAM,
        serial,
        status,
      },
      (w) => w.raw(data), // stream data is raw: no length word, no padding
    );
    this.#socket.write(frame);
  }

  /** Stops routing stream packets of call `serial`. */
  dropStream(serial: number): void {
    this.#streams.delete(serial);
  }

  /** Routes asynchronous messages of `procedure` to `handler`; returns the unsubscribe. */
  onMessage(procedure: number, handler: MessageHandler): () => void {
    let set = this.#messageHandlers.get(procedure);
    if (!set) {
      set = new Set();
      this.#messageHandlers.set(procedure, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /**
   * libvirt's keepalive, client side: when nothing has arrived for an interval, send a PING (the daemon answers
   * PONG once keepalive is agreed); when nothing at all arrives for `count` intervals more, the daemon or the
   * path to it is gone, and the connection is failed rather than left hanging.
   */
  watchKeepalive(intervalMs: number, count: number): void {
    clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = setInterval(() => {
      const silent = Date.now() - this.#lastReceived;
      if (silent > intervalMs * (count + 1)) {
        this.#fail(
          LibvirtError.transport(`libvirtd did not answer keepalives for ${(silent / 1000).toFixed(1)}s`),
        );
        this.#socket.destroy();
      } else if (silent >= intervalMs) {
        this.#keepaliveMessage(KEEPALIVE_PROC_PING);
      }
    }, intervalMs);
    this.#keepaliveTimer.unref();
  }

  /** Calls `handler` once when the connection closes, with the error pending calls were rejected with. */
  onClose(handler: (error: LibvirtError) => void): () => void {
    if (this.#closed) {
      handler(this.#closed);
      return () => {};
    }
    this.#closeHandlers.add(handler);
    return () => {
      this.#closeHandlers.delete(handler);
    };
  }

  /** Closes the socket; pending calls are rejected. */
  close(): Promise<void> {
    if (this.#socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      this.#socket.end();
      // A daemon that does not close its side promptly must not hold us up.
      setTimeout(() => this.#socket.destroy(), 1000).unref();
    });
  }

  #nextSerial(): number {
    this.#serial = (this.#serial + 1) >>> 0 || 1;
    return this.#serial;
  }

  #frame(header: MessageHeader, encode?: (w: XdrWriter) => void): Buffer {
    const w = new XdrWriter(256);
    w.uint(0); // length, patched below
    writeHeader(w, header);
    encode?.(w);
    if (w.length - 4 > MESSAGE_MAX) {
      throw LibvirtError.transport(
        `message of ${w.length} bytes exceeds libvirt's limit`,
        VirErrorNumber.RPC,
      );
    }
    w.patchUint(0, w.length);
    return Buffer.from(w.bytes());
  }

  #onData(chunk: Buffer): void {
    this.#lastReceived = Date.now();
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#frameLength === 0) {
        if (this.#buffered < 4) return;
        const length = this.#peekUint32();
        if (length < FRAME_PREFIX || length > MESSAGE_MAX + 4) {
          this.#fail(
            LibvirtError.transport(`bad message length ${length} from libvirtd`, VirErrorNumber.RPC),
          );
          this.#socket.destroy();
          return;
        }
        this.#frameLength = length;
      }
      if (this.#buffered < this.#frameLength) return;
      const frame = this.#take(this.#frameLength);
      this.#frameLength = 0;
      try {
        this.#dispatch(frame);
      } catch (error) {
        this.#fail(
          LibvirtError.transport(
            `undecodable message from libvirtd: ${(error as Error).message}`,
            VirErrorNumber.RPC,
            error,
          ),
        );
        this.#socket.destroy();
        return;
      }
    }
  }

  #peekUint32(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return Buffer.concat(this.#chunks).readUInt32BE(0);
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.#chunks);
      out = all.subarray(0, n);
      this.#chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.#buffered -= n;
    return out;
  }

  #dispatch(frame: Buffer): void {
    const r = new XdrReader(frame, 4);
    const header = readHeader(r);
    if (header.program === KEEPALIVE_PROGRAM) {
      if (header.procedure === KEEPALIVE_PROC_PING) this.#keepaliveMessage(KEEPALIVE_PROC_PONG);
      return;
    }
    if (header.program !== REMOTE_PROGRAM) return;
    switch (header.type) {
      case MessageType.REPLY:
      case MessageType.REPLY_WITH_FDS:
        this.#onReply(header, r);
        return;
      case MessageType.MESSAGE:
        for (const handler of this.#messageHandlers.get(header.procedure) ?? [])
          handler(new XdrReader(frame, 28));
        return;
      case MessageType.STREAM:
        this.#onStream(header, r);
        return;
      default:
        return;
    }
  }

  #onReply(header: MessageHeader, r: XdrReader): void {
    const call = this.#pending.get(header.serial);
    if (!call) return; // A reply to a call we gave up on.
    this.#pending.delete(header.serial);
    if (header.status === MessageStatus.ERROR) {
      this.#streams.delete(header.serial);
      call.reject(new LibvirtError(readError(r)));
      return;
    }
    try {
      call.resolve(call.decode ? call.decode(r) : undefined);
    } catch (error) {
      call.reject(
        LibvirtError.transport(
          `cannot decode the reply to procedure ${call.procedure}: ${(error as Error).message}`,
          VirErrorNumber.RPC,
          error,
        ),
      );
    }
  }

  #onStream(header: MessageHeader, r: XdrReader): void {
    const handler = this.#streams.get(header.serial);
    if (!handler) return;
    if (header.status === MessageStatus.CONTINUE) {
      handler({ status: header.status, data: r.rest() });
      return;
    }
    this.#streams.delete(header.serial);
    if (header.status === MessageStatus.ERROR) {
      handler({ status: header.status, data: Buffer.alloc(0), error: new LibvirtError(readError(r)) });
    } else {
      handler({ status: header.status, data: Buffer.alloc(0) });
    }
  }

  #keepaliveMessage(procedure: number): void {
    if (this.#closed) return;
    const frame = this.#frame({
      program: KEEPALIVE_PROGRAM,
      version: KEEPALIVE_PROTOCOL_VERSION,
      procedure,
      type: MessageType.MESSAGE,
      serial: 0,
      status: MessageStatus.OK,
    });
    this.#socket.write(frame);
  }

  #fail(error: LibvirtError): void {
    if (this.#closed) return;
    this.#closed = error;
    clearInterval(this.#keepaliveTimer);
    for (const call of this.#pending.values()) call.reject(error);
    this.#pending.clear();
    for (const stream of this.#streams.values()) {
      stream({ status: MessageStatus.ERROR, data: Buffer.alloc(0), error });
    }
    this.#streams.clear();
    for (const handler of this.#closeHandlers) handler(error);
    this.#closeHandlers.clear();
  }
}
