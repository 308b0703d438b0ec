import { randomBytes } from "node:crypto";

/** Where the test broker lives; tests never skip when it is missing, they fail. */
export interface BrokerEndpoint {
  amqpHost: string;
  amqpPort: number;
  managementUrl: string;
  user: string;
  password: string;
}

export const defaultBroker: BrokerEndpoint = {
  amqpHost: "127.0.0.1",
  amqpPort: 5672,
  managementUrl: "http://127.0.0.1:15672",
  user: "guest",
  password: "guest",
};

export interface TestVhost {
  name: string;
  /** oslo-style transport URL for this vhost: rabbit://guest:guest@127.0.0.1:5672/<vhost> */
  transportUrl: string;
  /** plain AMQP URL for amqplib: amqp://guest:guest@127.0.0.1:5672/<vhost> */
  amqpUrl: string;
  broker: BrokerEndpoint;
  /** Lists the queues in this vhost with their declare arguments (through the management API). */
  queues(): Promise<ManagedQueue[]>;
  exchanges(): Promise<ManagedExchange[]>;
  /** Turns the firehose (`amq.rabbitmq.trace`) on or off, as `rabbitmqctl trace_on|trace_off -p <vhost>` does. */
  setTracing(on: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export interface ManagedQueue {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  exclusive: boolean;
  arguments: Record<string, unknown>;
  messages?: number;
  consumers?: number;
}

export interface ManagedExchange {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
}

async function management(broker: BrokerEndpoint, method: string, path: string): Promise<unknown> {
  const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
  let res: Response;
  try {
    res = await fetch(`${broker.managementUrl}/api${path}`, {
      method,
      headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
      ...(method === "PUT" ? { body: "{}" } : {}),
    });
  } catch (err) {
    throw new Error(
      `RabbitMQ management API unreachable at ${broker.managementUrl} (run scripts/setup-services.sh): ${String(err)}`,
    );
  }
  if (!res.ok && !(method === "DELETE" && res.status === 404)) {
    throw new Error(`RabbitMQ management ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  }
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** Creates a fresh vhost (guest has full rights on it) so tests can run in parallel without sharing queues. */
export async function createTestVhost(
  prefix = "test",
  broker: BrokerEndpoint = defaultBroker,
): Promise<TestVhost> {
  const name = `${prefix}-${randomBytes(6).toString("hex")}`;
  const v = encodeURIComponent(name);
  await management(broker, "PUT", `/vhosts/${v}`);
  await management(broker, "PUT", `/permissions/${v}/${encodeURIComponent(broker.user)}`).catch(async () => {
    // Older brokers want the permission body spelled out.
    const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
    await fetch(`${broker.managementUrl}/api/permissions/${v}/${encodeURIComponent(broker.user)}`, {
      method: "PUT",
      headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
      body: JSON.stringify({ configure: ".*", write: ".*", read: ".*" }),
    });
  });
  const creds = `${encodeURIComponent(broker.user)}:${encodeURIComponent(broker.password)}`;
  const hostPort = `${broker.amqpHost}:${broker.amqpPort}`;
  return {
    name,
    transportUrl: `rabbit://${creds}@${hostPort}/${v}`,
    amqpUrl: `amqp://${creds}@${hostPort}/${v}`,
    broker,
    queues: async () => (await management(broker, "GET", `/queues/${v}`)) as ManagedQueue[],
    exchanges: async () => (await management(broker, "GET", `/exchanges/${v}`)) as ManagedExchange[],
    setTracing: async (on) => {
      const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
      const res = await fetch(`${broker.managementUrl}/api/vhosts/${v}`, {
        method: "PUT",
        headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
        body: JSON.stringify({ tracing: on }),
      });
      if (!res.ok)
        throw new Error(`RabbitMQ management: tracing ${name}: HTTP ${res.status} ${await res.text()}`);
    },
    dispose: async () => {
      await management(broker, "DELETE", `/vhosts/${v}`);
    },
  };
}
