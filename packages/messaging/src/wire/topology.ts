import type { ExchangeDeclaration, QueueDeclaration } from "../drivers/driver.js";
import type { MessagingOptions } from "../options.js";

type TopologyOptions = Pick<
  MessagingOptions,
  | "amqp_durable_queues"
  | "amqp_auto_delete"
  | "rabbit_quorum_queue"
  | "rabbit_quorum_delivery_limit"
  | "rabbit_quorum_max_memory_length"
  | "rabbit_quorum_max_memory_bytes"
  | "rabbit_ha_queues"
  | "rabbit_transient_queues_ttl"
>;

/** Names, flags and declare arguments of every exchange and queue, exactly as oslo.messaging 14 declares them. */
export class Topology {
  private readonly durable: boolean;

  /** From the options that shape queues (durability, quorum, TTLs). */
  constructor(private readonly options: TopologyOptions) {
    // Quorum queues must be durable, and oslo then declares the control exchange durable too.
    this.durable = options.amqp_durable_queues || options.rabbit_quorum_queue;
  }

  /** The topic exchange calls, casts and notifications go through (`control_exchange`, or the target's). */
  exchange(name: string): ExchangeDeclaration {
    return { name, type: "topic", durable: this.durable, autoDelete: this.options.amqp_auto_delete };
  }

  /** `<topic>_fanout`: fanout exchange, never durable, auto-deleted. */
  fanoutExchange(topic: string): ExchangeDeclaration {
    return { name: `${topic}_fanout`, type: "fanout", durable: false, autoDelete: true };
  }

  /** Shared topic queue (`<topic>`), server queue (`<topic>.<server>`) and notification queues. */
  topicQueue(name: string): QueueDeclaration {
    return {
      name,
      durable: this.durable,
      autoDelete: this.options.amqp_auto_delete,
      exclusive: false,
      arguments: this.queueArguments(0, this.options.rabbit_quorum_queue),
    };
  }

  /** Per-process queues: `<topic>_fanout_<uuid>` and `reply_<uuid>`: classic, transient, `x-expires`. */
  transientQueue(name: string): QueueDeclaration {
    return {
      name,
      durable: false,
      autoDelete: false,
      exclusive: false,
      arguments: this.queueArguments(this.options.rabbit_transient_queues_ttl * 1000, false),
    };
  }

  private queueArguments(expiresMs: number, quorum: boolean): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    if (this.options.rabbit_ha_queues) args["x-ha-policy"] = "all";
    if (quorum) {
      args["x-queue-type"] = "quorum";
      if (this.options.rabbit_quorum_delivery_limit) {
        args["x-delivery-limit"] = this.options.rabbit_quorum_delivery_limit;
      }
      if (this.options.rabbit_quorum_max_memory_length) {
        args["x-max-in-memory-length"] = this.options.rabbit_quorum_max_memory_length;
      }
      if (this.options.rabbit_quorum_max_memory_bytes) {
        args["x-max-in-memory-bytes"] = this.options.rabbit_quorum_max_memory_bytes;
      }
    }
    if (expiresMs) args["x-expires"] = expiresMs;
    return args;
  }
}
