import { NovaError } from "@nova/core";

/** Thrown when bytes do not decode as the expected XDR (truncated, over a limit). */
export class XdrDecodeError extends NovaError {
  declare readonly code: "XDR_DECODE_FAILED";

  /** Says what did not decode. */
  constructor(message: string) {
    super("XDR_DECODE_FAILED", message);
  }
}

/** Decodes XDR (RFC 4506) from a buffer; see XdrWriter for the encoding. */
export class XdrReader {
  readonly #buf: Buffer;
  #pos: number;

  /** Reads `buf` from `offset`. */
  constructor(buf: Buffer, offset = 0) {
    this.#buf = buf;
    this.#pos = offset;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** The bytes not yet read (for stream payloads), consuming them. */
  rest(): Buffer {
    const out = this.#buf.subarray(this.#pos);
    this.#pos = this.#buf.length;
    return out;
  }

  /** A signed 32-bit integer. */
  int(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** An unsigned 32-bit integer. */
  uint(): number {
    this.#need(4);
    const v = this.#buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** A signed 64-bit integer. */
  hyperBig(): bigint {
    this.#need(8);
    const v = this.#buf.readBigInt64BE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** An unsigned 64-bit integer. */
  uhyperBig(): bigint {
    this.#need(8);
    const v = this.#buf.readBigUInt64BE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A signed 64-bit integer as a number (exact up to 2^53). */
  hyper(): number {
    return Number(this.hyperBig());
  }

  /** An unsigned 64-bit integer as a number (exact up to 2^53). */
  uhyper(): number {
    return Number(this.uhyperBig());
  }

  /** A 64-bit float. */
  double(): number {
    this.#need(8);
    const v = this.#buf.readDoubleBE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A boolean (a 32-bit 0 or 1). */
  bool(): boolean {
    return this.int() !== 0;
  }

  /** A length-prefixed UTF-8 string of at most `max` bytes. */
  string(max = Number.MAX_SAFE_INTEGER): string {
    const length = this.uint();
    if (length > max) throw new XdrDecodeError(`string of ${length} bytes exceeds the limit of ${max}`);
    this.#need(length);
    const v = this.#buf.toString("utf8", this.#pos, this.#pos + length);
    this.#skip(length);
    return v;
  }

  /** Length-prefixed bytes, at most `max`. */
  opaque(max = Number.MAX_SAFE_INTEGER): Buffer {
    const length = this.uint();
    if (length > max) throw new XdrDecodeError(`opaque of ${length} bytes exceeds the limit of ${max}`);
    return this.fixedOpaque(length);
  }

  /** Exactly `size` bytes (padded to 4). */
  fixedOpaque(size: number): Buffer {
    this.#need(size);
    const v = Buffer.from(this.#buf.subarray(this.#pos, this.#pos + size));
    this.#skip(size);
    return v;
  }

  /** Optional data: a boolean, then the value when true. */
  optional<T>(read: (r: this) => T): T | null {
    return this.bool() ? read(this) : null;
  }

  /** A counted array of at most `max` items. */
  array<T>(read: (r: this) => T, max = Number.MAX_SAFE_INTEGER): T[] {
    const count = this.uint();
    if (count > max) throw new XdrDecodeError(`array of ${count} exceeds the limit of ${max}`);
    // Every element takes at least 4 bytes: refuse counts the buffer cannot hold before allocating.
    if (count * 4 > this.remaining) throw new XdrDecodeError(`array of ${count} does not fit the message`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(read(this));
    return out;
  }

  #skip(length: number): void {
    const padded = length + ((4 - (length % 4)) % 4);
    this.#need(padded);
    this.#pos += padded;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) {
      throw new XdrDecodeError(`truncated: need ${n} bytes at offset ${this.#pos}, have ${this.remaining}`);
    }
  }
}
