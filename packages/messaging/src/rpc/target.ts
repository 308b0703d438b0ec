/** Where a message goes or what a server listens to (oslo's `Target`). */
export interface Target {
  /** Defaults to `control_exchange`. */
  exchange?: string;
  topic?: string;
  /** A specific server: routes to `<topic>.<server>`. */
  server?: string;
  /** Cast to every server of the topic. */
  fanout?: boolean;
  /** Client: the version requested. Endpoint: the version implemented. `X.Y` */
  version?: string;
  namespace?: string;
}
