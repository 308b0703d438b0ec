import { NovaError } from "@nova/core";

/** Thrown when a value cannot be encoded (out of range, too long). */
export class XdrEncodeError extends NovaError {
  declare readonly code: "XDR_ENCODE_FAILED";

  /** Says what could not be encoded. */
  constructor(message: string) {
    super("XDR_ENCODE_FAILED", message);
  }
}

/**
 * Encodes XDR (RFC 4506) into a growing buffer: big-endian 4-byte units, strings and opaques padded to 4
 * bytes, optional data as a boolean followed by the value. Only the types libvirt's protocol uses.
 */
export class XdrWriter {
  #buf: Buffer;
  #pos = 0;

  /** Starts with a buffer of `initialSize` bytes; it grows as needed. */
  constructor(initialSize = 256) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** The encoded bytes (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Overwrites a 32-bit unsigned integer at `offset` (for length prefixes known only at the end). */
  patchUint(offset: number, value: number): void {
    this.#buf.writeUInt32BE(value >>> 0, offset);
  }

  /** A signed 32-bit integer. */
  int(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new XdrEncodeError(`not a 32-bit signed integer: ${value}`);
    }
    this.#ensure(4);
    this.#buf.writeInt32BE(value, this.#pos);
    this.#pos += 4;
    return this;
  }

  /** An unsigned 32-bit integer. */
  uint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new XdrEncodeError(`not a 32-bit unsigned integer: ${value}`);
    }
    this.#ensure(4);
    this.#buf.writeUInt32BE(value, this.#pos);
    this.#pos += 4;
    return this;
  }

  /** A signed 64-bit integer. */
  hyper(value: number | bigint): this {
    this.#ensure(8);
    this.#buf.writeBigInt64BE(BigInt(value), this.#pos);
    this.#pos += 8;
    return this;
  }

  /** An unsigned 64-bit integer. */
  uhyper(value: number | bigint): this {
    const big = BigInt(value);
    if (big < 0n) throw new XdrEncodeError(`not an unsigned 64-bit integer: ${value}`);
    this.#ensure(8);
    this.#buf.writeBigUInt64BE(big, this.#pos);
    this.#pos += 8;
    return this;
  }

  /** A 64-bit float. */
  double(value: number): this {
    this.#ensure(8);
    this.#buf.writeDoubleBE(value, this.#pos);
    this.#pos += 8;
    return this;
  }

  /** A boolean (a 32-bit 0 or 1). */
  bool(value: boolean): this {
    return this.int(value ? 1 : 0);
  }

  /** A string of at most `max` UTF-8 bytes. */
  string(value: string, max = Number.MAX_SAFE_INTEGER): this {
    const length = Buffer.byteLength(value, "utf8");
    if (length > max) throw new XdrEncodeError(`string of ${length} bytes exceeds the limit of ${max}`);
    this.uint(length);
    this.#ensure(length + 3);
    this.#buf.write(value, this.#pos, "utf8");
    this.#pos += length;
    this.#pad(length);
    return this;
  }

  /** Variable-length opaque data of at most `max` bytes. */
  opaque(value: Uint8Array, max = Number.MAX_SAFE_INTEGER): this {
    if (value.length > max) throw new XdrEncodeError(`opaque of ${value.length} bytes exceeds ${max}`);
    this.uint(value.length);
    return this.fixedOpaque(value, value.length);
  }

  /** Fixed-length opaque data of exactly `size` bytes. */
  fixedOpaque(value: Uint8Array, size: number): this {
    if (value.length !== size) throw new XdrEncodeError(`expected ${size} bytes, got ${value.length}`);
    this.#ensure(size + 3);
    this.#buf.set(value, this.#pos);
    this.#pos += size;
    this.#pad(size);
    return this;
  }

  /** Raw bytes with no length and no padding (stream packets carry their data this way). */
  raw(value: Uint8Array): this {
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  /** Optional data: a boolean, then the value when present. */
  optional<T>(value: T | null | undefined, write: (w: this, v: T) => void): this {
    if (value === null || value === undefined) return this.bool(false);
    this.bool(true);
    write(this, value);
    return this;
  }

  /** A variable-length array: its count, then each element. */
  array<T>(values: readonly T[], write: (w: this, v: T) => void, max = Number.MAX_SAFE_INTEGER): this {
    if (values.length > max)
      throw new XdrEncodeError(`array of ${values.length} exceeds the limit of ${max}`);
    this.uint(values.length);
    for (const v of values) write(this, v);
    return this;
  }

  #pad(length: number): void {
    const pad = (4 - (length % 4)) % 4;
    if (pad === 0) return;
    this.#ensure(pad);
    this.#buf.fill(0, this.#pos, this.#pos + pad);
    this.#pos += pad;
  }

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }
}
