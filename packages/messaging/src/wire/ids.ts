import { randomUUID } from "node:crypto";

/** A uuid4 as 32 hex digits, as Python's `uuid.uuid4().hex` (message ids, unique ids, queue suffixes). */
export function uuidHex(): string {
  return randomUUID().replaceAll("-", "");
}
