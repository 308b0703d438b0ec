/** Identifies one service process: Nova's unique (host, binary) pair, plus its RPC topic. */
export interface ServiceKey {
  host: string;
  binary: string;
  topic: string;
}

/** What the liveness rules read from a service row (Nova's `services` table / Service object). */
export interface ServiceRecord extends ServiceKey {
  /** Set by an operator (`os-services` force-down): such a service is down whatever its heartbeats say. */
  forcedDown: boolean;
  disabled: boolean;
  disabledReason: string | null;
  reportCount: number;
  /** Milliseconds since the epoch of the last report the conductor recorded; null before the first. */
  lastSeenUp: number | null;
  createdAt: number;
  updatedAt: number | null;
}

/** The key under which a service is tracked in maps and batches. */
export function serviceKeyId(key: Pick<ServiceKey, "host" | "binary">): string {
  return `${key.binary}@${key.host}`;
}
