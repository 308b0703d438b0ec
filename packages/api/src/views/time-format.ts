/** Nova's `utils.isotime`: `2026-11-27T08:31:01Z` (seconds, UTC). */
export function isoTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A datetime as oslo's jsonutils writes it: `2026-11-27T08:31:01.000000` (microseconds, no zone). */
export function naiveIsoTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}
