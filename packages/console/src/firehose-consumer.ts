import type { Logger } from "@nova/core";
import type { TransportUrl } from "@nova/messaging";
import amqp, { type ChannelModel } from "amqplib";
import type { TracedMessage } from "./firehose-flow-recorder.js";

/** Where and how to read the firehose. */
export interface FirehoseConsumerOptions {
  /** The vhost's `transport_url`, parsed (`parseTransportUrl`); its first host is used. */
  url: TransportUrl;
  /** Called with each traced message, in the order the broker traced them. */
  onMessage: (message: TracedMessage) => void;
  /** Where it logs connection changes. */
  logger: Logger;
  /** Wait before reconnecting after the broker went away (default 2000 ms). */
  reconnectMs?: number;
}

/** A running firehose consumer. */
export interface FirehoseConsumer {
  /** Stops consuming and closes the connection. */
  close(): Promise<void>;
}

/** The exchange RabbitMQ copies every publish and delivery to once `rabbitmqctl trace_on -p <vhost>` ran. */
export const FIREHOSE_EXCHANGE = "amq.rabbitmq.trace";

// Sized for bursts while the console is slow; past it the broker drops the oldest traces, never the services'.
const MAX_BACKLOG = 10_000;

/**
 * Consumes RabbitMQ's firehose of one vhost into `onMessage` through a queue of its own (exclusive, dropped with
 * the connection, bounded), reconnecting when the broker goes away. It only reads: tracing must have been turned
 * on for the vhost (`rabbitmqctl trace_on -p <vhost>`); until then nothing arrives.
 */
export async function consumeFirehose(options: FirehoseConsumerOptions): Promise<FirehoseConsumer> {
  const { url, logger } = options;
  const host = url.hosts[0] ?? {
    hostname: "localhost",
    port: undefined,
    username: undefined,
    password: undefined,
  };
  const vhost = url.virtualHost === undefined || url.virtualHost === "" ? "/" : url.virtualHost;
  let closed = false;
  let connection: ChannelModel | undefined;
  let retry: NodeJS.Timeout | undefined;

  const open = async (): Promise<void> => {
    const c = await amqp.connect({
      protocol: "amqp",
      hostname: host.hostname,
      port: host.port ?? 5672,
      username: host.username ?? "guest",
      password: host.password ?? "guest",
      vhost,
    });
    connection = c;
    c.on("error", () => {}); // "close" follows and reconnects
    c.on("close", () => {
      connection = undefined;
      if (closed) return;
      logger.warn({ vhost }, "firehose connection lost; reconnecting");
      schedule();
    });
    const channel = await c.createChannel();
    const { queue } = await channel.assertQueue("", {
      exclusive: true,
      autoDelete: true,
      arguments: { "x-max-length": MAX_BACKLOG },
    });
    await channel.bindQueue(queue, FIREHOSE_EXCHANGE, "publish.#");
    await channel.bindQueue(queue, FIREHOSE_EXCHANGE, "deliver.#");
    await channel.consume(
      queue,
      (m) => {
        if (!m) return;
        try {
          options.onMessage({
            routingKey: m.fields.routingKey,
            headers: (m.properties.headers ?? {}) as Record<string, unknown>,
            body: m.content.toString("utf8"),
          });
        } catch (err) {
          logger.warn({ err: String(err) }, "a traced message could not be recorded");
        }
      },
      { noAck: true },
    );
    logger.info({ host: host.hostname, vhost, queue }, "reading the broker's firehose");
  };

  const schedule = () => {
    retry = setTimeout(() => {
      retry = undefined;
      open().catch((err: unknown) => {
        logger.warn({ err: String(err), vhost }, "firehose connection failed; retrying");
        if (!closed) schedule();
      });
    }, options.reconnectMs ?? 2000);
  };

  await open();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await connection?.close().catch(() => {});
    },
  };
}
