/** Something an app starts and, on SIGTERM, stops (draining what is in flight). */
export interface RunnableService {
  /** The binary (and host, in the all-in-one) for logs. */
  readonly name: string;
  /** Brings the service up; a failure leaves nothing running. */
  start(): Promise<void>;
  /** Stops taking work, finishes what is in flight, then stops. */
  stop(): Promise<void>;
}
