import type { IncomingHttpHeaders } from "node:http";

/** How an answered request is reported: bounded labels only (the route's pattern, never its ids). */
export interface ApiRequestOutcome {
  /** The matched route pattern (`/servers/:server_id`, plus ` <action>` for actions), or `unmatched`. */
  route: string;
  /** The HTTP status sent. */
  status: number;
  /** The negotiated microversion (`2.1`...), if any. */
  microversion: string | undefined;
}

/** The observer's handle on one request. */
export interface ApiRequestObservation {
  /** Runs the request's work in the observer's async context (a span, the request id of log lines). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** The request was answered. */
  end(outcome: ApiRequestOutcome): void;
}

/** Watches every API request (metrics, traces); the server runs none of this when not given one. */
export interface ApiObserver {
  /** A request arrived and got its request id. */
  request(start: { method: string; requestId: string; headers: IncomingHttpHeaders }): ApiRequestObservation;
}
