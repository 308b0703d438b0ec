import { randomFillSync } from "node:crypto";

// Random bytes drawn 256 ids at a time: a call uses three ids, and one fill costs less than 256 randomUUID()s
// reformatted without their dashes.
const POOL = Buffer.allocUnsafe(16 * 256);
let offset = POOL.length;

/** A uuid4 as 32 hex digits, as Python's `uuid.uuid4().hex` (message ids, unique ids, queue suffixes). */
export function uuidHex(): string {
  if (offset === POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const start = offset;
  offset += 16;
  // RFC 4122 version 4 and variant bits, as uuid4() sets them.
  POOL[start + 6] = (POOL[start + 6]! & 0x0f) | 0x40;
  POOL[start + 8] = (POOL[start + 8]! & 0x3f) | 0x80;
  return POOL.toString("hex", start, start + 16);
}
