import { describe, expect, it } from "vitest";
import { FirehoseFlowRecorder, type TracedMessage } from "../src/index.js";

// A clock the test moves by hand: each traced message arrives at the time set before it.
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, set: (ms: number) => (t = start + ms) };
}

const envelope = (message: Record<string, unknown>) =>
  JSON.stringify({ "oslo.version": "2.0", "oslo.message": JSON.stringify(message) });

const context = (id: string | undefined) =>
  id === undefined
    ? { _context_request_id: "req-timer" }
    : { _context_request_id: "req-local", _context_global_request_id: id };

/** A traced publish of a request to the `nova` exchange (or a fanout exchange) with this routing key. */
function request(
  routingKey: string,
  method: string,
  flow: string | undefined,
  call?: { msgId: string; replyQ: string },
  exchange = "nova",
): TracedMessage {
  return {
    routingKey: `publish.${exchange}`,
    headers: { exchange_name: exchange, routing_keys: [routingKey] },
    body: envelope({
      method,
      args: {},
      version: "1.0",
      ...context(flow),
      ...(call ? { _msg_id: call.msgId, _reply_q: call.replyQ } : { _unique_id: "u1" }),
    }),
  };
}

/** The broker's trace of the same message delivered from `queue`. */
function delivered(published: TracedMessage, queue: string): TracedMessage {
  return { ...published, routingKey: `deliver.${queue}` };
}

/** oslo's reply: published to the exchange named by the reply queue. */
function reply(replyQ: string, msgId: string, failure: string | null = null): TracedMessage {
  return {
    routingKey: `publish.${replyQ}`,
    headers: { exchange_name: replyQ, routing_keys: [replyQ] },
    body: envelope({ _msg_id: msgId, result: failure ? null : { host: "c1" }, failure, ending: true }),
  };
}

describe("FirehoseFlowRecorder", () => {
  it("turns a traced boot into the five steps with queues, msg_ids, reply queues, senders and times", () => {
    const clock = manualClock();
    const rec = new FirehoseFlowRecorder({ clock });
    const flows: string[] = [];
    rec.subscribe((f) => flows.push(f.id));
    const at = (ms: number, m: TracedMessage) => {
      clock.set(ms);
      rec.record(m);
    };
    const boot = request("conductor", "schedule_and_build_instances", "req-boot");
    const select = request("scheduler", "select_destinations", "req-boot", {
      msgId: "m1",
      replyQ: "reply_c",
    });
    const build = request("compute.c1", "build_and_run_instance", "req-boot", {
      msgId: "m2",
      replyQ: "reply_c",
    });
    const update = request("conductor", "object_action", "req-boot", { msgId: "m3", replyQ: "reply_k" });
    at(0, boot);
    at(5, delivered(boot, "conductor"));
    at(10, select);
    at(12, delivered(select, "scheduler"));
    at(40, reply("reply_c", "m1"));
    at(42, delivered(reply("reply_c", "m1"), "reply_c"));
    at(50, build);
    at(51, delivered(build, "compute.c1"));
    at(60, update); // the compute's own call to the conductor, during the build
    at(61, delivered(update, "conductor"));
    at(70, reply("reply_k", "m3"));
    at(71, delivered(reply("reply_k", "m3"), "reply_k"));
    at(900, reply("reply_c", "m2"));
    at(903, delivered(reply("reply_c", "m2"), "reply_c"));

    const [flow] = rec.list();
    expect(flow).toMatchObject({ id: "req-boot", title: "schedule_and_build_instances", origin: "api" });
    expect(flows.every((id) => id === "req-boot")).toBe(true);
    const rows = flow!.steps.map((s) => [s.kind, s.method, s.from, s.to, s.queue, s.msg_id, s.reply_queue]);
    expect(rows).toEqual([
      ["cast", "schedule_and_build_instances", "api", "conductor", "conductor", null, null],
      ["call", "select_destinations", "conductor", "scheduler", "scheduler", "m1", "reply_c"],
      ["reply", "select_destinations", "scheduler", "conductor", "reply_c", "m1", null],
      ["call", "build_and_run_instance", "conductor", "compute", "compute.c1", "m2", "reply_c"],
      ["call", "object_action", "compute", "conductor", "conductor", "m3", "reply_k"],
      ["reply", "object_action", "conductor", "compute", "reply_k", "m3", null],
      ["reply", "build_and_run_instance", "compute", "conductor", "reply_c", "m2", null],
    ]);
    // at_ms from the flow's first trace; a cast lasts until delivered, a call until its reply is delivered,
    // a reply from its publish to its delivery.
    expect(flow!.steps.map((s) => [s.at_ms, s.duration_ms])).toEqual([
      [0, 5],
      [10, 32],
      [40, 2],
      [50, 853],
      [60, 11],
      [70, 1],
      [900, 3],
    ]);
    expect(flow!.steps.every((s) => s.error === null)).toBe(true);
  });

  it("names a failed call's remote error class on its reply and on the call", () => {
    const clock = manualClock();
    const rec = new FirehoseFlowRecorder({ clock });
    const call = request("scheduler", "select_destinations", "req-x", { msgId: "m9", replyQ: "reply_z" });
    const failure = JSON.stringify({
      class: "NoValidHost",
      module: "nova.exception",
      message: "No valid host",
    });
    for (const m of [call, delivered(call, "scheduler"), reply("reply_z", "m9", failure)]) rec.record(m);
    rec.record(delivered(reply("reply_z", "m9", failure), "reply_z"));
    const steps = rec.get("req-x")!.steps;
    expect(steps.map((s) => [s.kind, s.error])).toEqual([
      ["call", "NoValidHost"],
      ["reply", "NoValidHost"],
    ]);
  });

  it("keeps timers' work apart, counts a fanout once, and skips notifications and junk", () => {
    const rec = new FirehoseFlowRecorder({ clock: manualClock() });
    const heartbeat = request("conductor", "service_update", undefined, { msgId: "h1", replyQ: "reply_h" });
    rec.record(heartbeat);
    const fanout = request(
      "scheduler_fanout",
      "update_instance_info",
      "req-f",
      undefined,
      "scheduler_fanout",
    );
    rec.record(fanout);
    rec.record(delivered(fanout, "scheduler_fanout_aaa"));
    rec.record(delivered(fanout, "scheduler_fanout_bbb"));
    rec.record({
      routingKey: "publish.nova",
      headers: { exchange_name: "nova", routing_keys: ["versioned_notifications.info"] },
      body: envelope({ event_type: "instance.create.end", payload: {}, priority: "INFO" }),
    });
    rec.record({ routingKey: "publish.nova", headers: {}, body: "not json" });
    rec.record({
      routingKey: "publish.reply_q",
      headers: {},
      body: envelope({ _msg_id: "unknown", result: 1 }),
    });
    expect(rec.list().map((f) => [f.id, f.origin, f.steps.length])).toEqual([
      ["req-timer", "periodic", 1],
      ["req-f", "api", 1],
    ]);
    expect(rec.get("req-f")!.steps[0]).toMatchObject({
      kind: "fanout",
      to: "scheduler",
      queue: "scheduler_fanout",
      duration_ms: 0,
    });
  });

  it("records a call whose delivery was traced before its publish once", () => {
    const rec = new FirehoseFlowRecorder({ clock: manualClock() });
    const call = request("scheduler", "select_destinations", "req-r", { msgId: "m5", replyQ: "reply_r" });
    rec.record(delivered(call, "scheduler"));
    rec.record(call);
    expect(rec.get("req-r")!.steps.map((s) => s.kind)).toEqual(["call"]);
  });

  it("forgets the oldest flows past maxFlows", () => {
    const rec = new FirehoseFlowRecorder({ clock: manualClock(), maxFlows: 2 });
    for (const id of ["a", "b", "c"]) rec.record(request("conductor", "m", id));
    expect(rec.list().map((f) => f.id)).toEqual(["b", "c"]);
  });
});
