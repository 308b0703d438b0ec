import { FakeClock } from "@nova/core/test";
import { createTestVhost } from "@nova/testing";
import amqp from "amqplib";
import { describe, expect, it } from "vitest";
import { FakeBroker, type Notification, NotificationListener, Notifier, Transport } from "../src/index.js";
import { deserializeMsg } from "../src/wire/envelope.js";

const ctx = { user_id: "u", project_id: "p", request_id: "req-1", auth_token: "secret", is_admin: false };

describe("notifications", () => {
  it("publishes oslo's messagingv2 envelope on <topic>.<priority> and declares that queue", async () => {
    const broker = new FakeBroker();
    const clock = new FakeClock(Date.UTC(2026, 10, 27, 8, 25, 22, 123));
    const transport = new Transport("fake://", {
      fakeBroker: broker,
      clock,
      options: { control_exchange: "nova" },
    });
    const notifier = new Notifier(transport, {
      publisherId: "compute.host1",
      topics: ["notifications", "versioned_notifications"],
    });
    await notifier.warn(ctx, "compute.instance.create.end", { id: 1 });
    expect(broker.depth("notifications.warn")).toBe(1);
    expect(broker.depth("versioned_notifications.warn")).toBe(1);
    const got: string[] = [];
    broker.consume("notifications.warn", (d) => {
      d.ack();
      got.push(d.body);
    });
    await expect.poll(() => got.length).toBe(1);
    const msg = deserializeMsg(got[0]!);
    expect(Object.keys(msg).slice(0, 7)).toEqual([
      "message_id",
      "publisher_id",
      "event_type",
      "priority",
      "payload",
      "timestamp",
      "_unique_id",
    ]);
    expect(msg).toMatchObject({
      publisher_id: "compute.host1",
      event_type: "compute.instance.create.end",
      priority: "WARN",
      payload: { id: 1 },
      timestamp: "2026-11-27 08:25:22.123000",
      _context_user_id: "u",
      _context_request_id: "req-1",
      _context_is_admin: false,
    });
    expect(msg.message_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(msg).not.toHaveProperty("_context_auth_token");
    await transport.close();
  });

  it("delivers to a listener on a real broker, acks after handling and requeues on failure", async () => {
    const vhost = await createTestVhost("msg-notify");
    const transport = new Transport(vhost.transportUrl);
    try {
      const received: Notification[] = [];
      let failures = 0;
      const listener = new NotificationListener(
        transport,
        async (n) => {
          if (n.eventType === "flaky" && failures < 2) {
            failures += 1;
            throw new Error("not yet");
          }
          if (
            n.eventType === "please-requeue" &&
            !received.some((r) => r.eventType === "please-requeue-seen")
          ) {
            received.push({ ...n, eventType: "please-requeue-seen" });
            return "requeue";
          }
          received.push(n);
          return undefined;
        },
        { priorities: ["info", "error"] },
      );
      await listener.start();
      const notifier = new Notifier(transport, { publisherId: "test.host" });
      await notifier.info(ctx, "flaky", { n: 1 });
      await notifier.error(ctx, "please-requeue", { n: 2 });
      await notifier.info(ctx, "plain", { n: 3 });
      await expect
        .poll(() => received.map((r) => r.eventType).sort(), { timeout: 10_000 })
        .toEqual(["flaky", "plain", "please-requeue", "please-requeue-seen"]);
      expect(failures).toBe(2);
      const flaky = received.find((r) => r.eventType === "flaky")!;
      expect(flaky).toMatchObject({ publisherId: "test.host", priority: "info", payload: { n: 1 } });
      expect(flaky.ctx).toEqual({ user_id: "u", project_id: "p", request_id: "req-1", is_admin: false });
      await listener.stop();
      const queues = await vhost.queues();
      expect(queues.map((q) => q.name).sort()).toEqual(["notifications.error", "notifications.info"]);
      // Nothing left behind unacked or ready: every delivery was acked after handling.
      const raw = await amqp.connect(vhost.amqpUrl);
      const ch = await raw.createChannel();
      const counts = [
        (await ch.checkQueue("notifications.info")).messageCount,
        (await ch.checkQueue("notifications.error")).messageCount,
      ];
      await raw.close();
      expect(counts).toEqual([0, 0]);
    } finally {
      await transport.close();
      await vhost.dispose();
    }
  });
});
