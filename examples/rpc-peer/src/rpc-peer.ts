import { randomUUID } from "node:crypto";
import { type Notification, NotificationListener, RpcClient, Transport } from "@nova/messaging";

/** A service record as nova-conductor answers it (the versioned object's data). */
export interface ServiceRecord {
  /** The service's host. */
  host: string;
  /** Its binary (`nova-compute`). */
  binary: string;
  /** Whether an operator disabled it. */
  disabled: boolean;
  /** Everything else the object carries. */
  [field: string]: unknown;
}

/** How the peer connects and what it does with notifications. */
export interface RpcPeerOptions {
  /** The cloud's `transport_url` (`rabbit://user:pass@host:5672/vhost`). */
  transportUrl: string;
  /** Called for every versioned notification (`service.update`, `instance.create.end`, ...). */
  onNotification: (notification: Notification) => void;
  /** `[notifications] versioned_notifications_topics` of the cloud (default `versioned_notifications`). */
  topics?: readonly string[];
  /** The queue the peer shares with its other replicas (oslo's listener pool); its own name by default. */
  pool?: string;
  /** The cloud's `[DEFAULT] control_exchange` (Nova's: `nova`). */
  controlExchange?: string;
  /** Seconds a call to the conductor may take (default 60, oslo's rpc_response_timeout). */
  rpcResponseTimeout?: number;
}

/** A running peer. */
export interface RpcPeer {
  /** Nova's `Service.get_by_host_and_binary`, run by nova-conductor (`object_class_action_versions`). */
  serviceByHostAndBinary(host: string, binary: string): Promise<ServiceRecord | null>;
  /** Stops listening and closes the connection. */
  stop(): Promise<void>;
}

// The object versions this peer understands; nova-conductor backports its answer to them.
const OBJECT_VERSIONS = { Service: "1.22" };

/**
 * Joins a running Nova over its message bus alone (no database, no API): listens to its versioned notifications
 * and calls nova-conductor as a nova-compute would, `object_class_action_versions` on the `conductor` topic.
 */
export async function startRpcPeer(options: RpcPeerOptions): Promise<RpcPeer> {
  const transport = new Transport(options.transportUrl, {
    options: {
      control_exchange: options.controlExchange ?? "nova",
      ...(options.rpcResponseTimeout !== undefined
        ? { rpc_response_timeout: options.rpcResponseTimeout }
        : {}),
    },
  });
  const listener = new NotificationListener(
    transport,
    (n) => {
      options.onNotification(n);
    },
    {
      topics: options.topics ?? ["versioned_notifications"],
      pool: options.pool ?? `rpc-peer-${randomUUID()}`,
    },
  );
  try {
    await listener.start();
  } catch (err) {
    await transport.close();
    throw err;
  }
  const conductor = new RpcClient(transport, { topic: "conductor", version: "3.0" });
  return {
    async serviceByHostAndBinary(host, binary) {
      const ctx = { is_admin: true, roles: ["admin"], request_id: `req-${randomUUID()}` };
      const answer = (await conductor.call(ctx, "object_class_action_versions", {
        objname: "Service",
        objmethod: "get_by_host_and_binary",
        object_versions: OBJECT_VERSIONS,
        args: [host, binary],
        kwargs: {},
      })) as { "nova_object.data"?: ServiceRecord } | null;
      return answer?.["nova_object.data"] ?? null;
    },
    async stop() {
      await listener.stop();
      await transport.close();
    },
  };
}
