/** Where a message goes or what a server listens to (oslo's `Target`). */
export interface Target {
  /** Defaults to `control_exchange`. */
  exchange?: string;
  /** The topic: which service. */
  topic?: string;
  /** A specific server: routes to `<topic>.<server>`. */
  server?: string;
  /** Cast to every server of the topic. */
  fanout?: boolean;
  /** Client: the version requested. Endpoint: the version implemented. `X.Y` */
  version?: string;
  /** Client: the namespace requested. Endpoint: the one served. */
  namespace?: string;
}
