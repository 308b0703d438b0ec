/** Identifies one service process: Nova's unique (host, binary) pair, plus its RPC topic. */
export interface ServiceKey {
  /** The host the service runs on (`[DEFAULT] host`). */
  host: string;
  /** The service's binary (`nova-compute`, `nova-conductor`, `nova-scheduler`). */
  binary: string;
  /** The RPC topic it serves (`compute`, `conductor`, `scheduler`). */
  topic: string;
}

/** What the liveness rules read from a service row (Nova's `services` table / Service object). */
export interface ServiceRecord extends ServiceKey {
  /** Set by an operator (`os-services` force-down): such a service is down whatever its heartbeats say. */
  forcedDown: boolean;
  /** Disabled by an operator: up or down as its heartbeats say, but the scheduler sends it nothing. */
  disabled: boolean;
  /** Why an operator disabled it, or null. */
  disabledReason: string | null;
  /** Reports recorded since the row was created. */
  reportCount: number;
  /** Milliseconds since the epoch of the last report the conductor recorded; null before the first. */
  lastSeenUp: number | null;
  /** When the row was created, in milliseconds since the epoch. */
  createdAt: number;
  /** When the row last changed, in milliseconds since the epoch; null before the first change. */
  updatedAt: number | null;
}

/** The key under which a service is tracked in maps and batches. */
export function serviceKeyId(key: Pick<ServiceKey, "host" | "binary">): string {
  return `${key.binary}@${key.host}`;
}
