import { booleanInput, listInput, numberInput } from "@nova/core";
import { z } from "zod";

// INI files give every value as a string; @nova/core reads them by oslo.config's rules (booleans: true/1/on/yes,
// false/0/off/no). Seconds stay seconds here; the transport turns them into milliseconds where it waits.
const flag = z.preprocess(booleanInput, z.boolean());
const int = (min: number) => z.preprocess(numberInput, z.number().int().min(min));
const seconds = z.preprocess(numberInput, z.number().min(0));

/**
 * The options this package understands, by their oslo.messaging names and defaults: `[DEFAULT]`
 * (`control_exchange`, `rpc_response_timeout`, `executor_thread_pool_size`) and `[oslo_messaging_rabbit]`, both
 * declared here only; the last block goes beyond oslo and is off (or generous) by default. (An application sets
 * its own `control_exchange` default, as Nova sets `nova`.)
 */
export const messagingOptionsSchema = z
  .object({
    control_exchange: z.string().min(1).default("openstack"),
    rpc_response_timeout: seconds.default(60),
    executor_thread_pool_size: int(1).default(64),
    amqp_durable_queues: flag.default(false),
    amqp_auto_delete: flag.default(false),
    rabbit_quorum_queue: flag.default(false),
    rabbit_quorum_delivery_limit: int(0).default(0),
    rabbit_quorum_max_memory_length: int(0).default(0),
    rabbit_quorum_max_memory_bytes: int(0).default(0),
    rabbit_ha_queues: flag.default(false),
    rabbit_transient_queues_ttl: int(1).default(1800),
    rabbit_qos_prefetch_count: int(0).default(0),
    heartbeat_timeout_threshold: int(0).default(60),
    rabbit_retry_interval: seconds.default(1),
    rabbit_retry_backoff: seconds.default(2),
    rabbit_interval_max: seconds.default(30),
    /** [oslo_messaging_notifications] topics */
    notification_topics: z.preprocess(listInput, z.array(z.string())).default(["notifications"]),
    // Beyond oslo: bounds on what is held while the broker is away, and the opt-in extras.
    max_buffered_messages: int(0).default(10_000),
    max_buffered_bytes: int(0).default(64 * 1024 * 1024),
    /** Send an absolute deadline header with calls and skip requests whose caller has given up. TS peers only. */
    rpc_deadline_header: flag.default(false),
    /** Use RabbitMQ direct reply-to (`amq.rabbitmq.reply-to`) instead of a reply_<uuid> queue. TS peers only. */
    rabbit_direct_reply_to: flag.default(false),
  })
  .refine((o) => !(o.rabbit_quorum_queue && o.rabbit_ha_queues), {
    message:
      "rabbit_quorum_queue and rabbit_ha_queues both enabled: a queue is quorum or HA (mirrored), not both",
  });

/** Parsed, defaulted messaging options. */
export type MessagingOptions = z.infer<typeof messagingOptionsSchema>;
/** What callers may pass: any subset, values may be strings as read from an INI file. */
export type MessagingOptionsInput = z.input<typeof messagingOptionsSchema>;

/** Validates and defaults the options once, at the edge. */
export function parseMessagingOptions(input: MessagingOptionsInput = {}): MessagingOptions {
  return messagingOptionsSchema.parse(input);
}
