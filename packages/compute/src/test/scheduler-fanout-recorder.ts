import { RpcServer, type Transport } from "@nova/messaging";
import { SCHEDULER_API_VERSION, SCHEDULER_TOPIC } from "@nova/rpcapi";

/** One fanout a scheduler received. */
export interface FanoutCall {
  /** The fanout method. */
  method: "update_instance_info" | "delete_instance_info" | "sync_instance_info";
  /** Its arguments. */
  args: Record<string, unknown>;
}

/** Listens on `scheduler_fanout` as a nova-scheduler would and records the computes' instance info casts. */
export class SchedulerFanoutRecorder {
  /** Every fanout received, in order. */
  readonly calls: FanoutCall[] = [];
  private readonly server: RpcServer;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Listens on `transport` as the scheduler `server`. */
  constructor(transport: Transport, server = "fake-scheduler") {
    const record = (method: FanoutCall["method"]) => (_ctx: unknown, args: Record<string, unknown>) => {
      this.calls.push({ method, args });
      this.waiters = this.waiters.filter((w) => {
        if (this.calls.length < w.count) return true;
        w.resolve();
        return false;
      });
      return null;
    };
    this.server = new RpcServer(transport, { topic: SCHEDULER_TOPIC, server }, [
      {
        version: SCHEDULER_API_VERSION,
        methods: {
          update_instance_info: record("update_instance_info"),
          delete_instance_info: record("delete_instance_info"),
          sync_instance_info: record("sync_instance_info"),
        },
      },
    ]);
  }

  /** Starts listening. */
  start(): Promise<void> {
    return this.server.start();
  }

  /** Stops listening. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Resolves once `count` fanouts have arrived in all. */
  received(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
