import { describe, expect, it } from "vitest";
import { RpcClient, type RpcEndpoint, RpcServer, Transport } from "../src/index.js";
import { FakeDriver } from "../src/test/index.js";
import { loadScenario } from "./fixtures.js";
import { RecordingDriver } from "./recording-driver.js";

/** Replaces the per-message random ids by the captured ones, so everything else must match byte for byte. */
function withIdsOf(body: string, captured: string): string {
  const ids = (s: string) => [...s.matchAll(/(_msg_id|_reply_q|_unique_id)\\": \\"([^\\]+)\\"/g)];
  let out = body;
  const theirs = ids(captured);
  for (const [i, m] of ids(body).entries()) {
    const replacement = theirs[i];
    if (replacement && replacement[1] === m[1]) out = out.replace(m[2]!, replacement[2]!);
  }
  return out;
}

function setup() {
  const driver = new RecordingDriver(new FakeDriver());
  const transport = new Transport("fake://", { driver });
  return { driver, transport };
}

const endpoints: RpcEndpoint[] = [
  {
    version: "1.5",
    methods: {
      echo: (_ctx: unknown, { value }: Record<string, unknown>) => value,
      add: (_ctx: unknown, { a, b }: Record<string, number>) => a! + b!,
    },
  },
  {
    namespace: "testns",
    version: "2.0",
    methods: { ns_echo: (_c: unknown, { value }: { value: unknown }) => ({ ns: "testns", value }) },
  },
];

describe("what the client puts on the wire equals oslo.messaging 14's capture", () => {
  it.each([
    ["call", {}],
    ["call_with_timeout", { timeout: 5 }],
    ["call_server", { server: "wire_srv2" }],
    ["call_namespace", { namespace: "testns", version: "2.0" }],
    ["call_bad_version", { version: "2.0" }],
    ["call_compatible_version", { version: "1.3" }],
    ["call_monitor_heartbeat", { callMonitorTimeout: 2 }],
    ["cast", {}],
    ["fanout_cast", { fanout: true }],
  ] as const)("%s", async (name, prepare) => {
    const scenario = loadScenario(name);
    const { driver, transport } = setup();
    const server = new RpcServer(transport, { topic: "wire_topic", server: "wire_srv2" }, [
      ...endpoints,
      { version: "1.5", methods: { sleep: (_c: unknown, { seconds }: { seconds: number }) => seconds } },
    ]);
    await server.start();
    const inv = scenario.client_invocation;
    const client = new RpcClient(transport, { topic: inv.topic }).prepare(prepare);
    if (inv.mode === "call") {
      await client.call(inv.context, inv.method, inv.kwargs).catch(() => {});
    } else {
      await client.cast(inv.context, inv.method, inv.kwargs);
    }
    await server.stop();
    await transport.close();

    const capturedRequest = scenario.messages.find((m) => m.trace_kind === "publish")!;
    const ours = driver.published[0]!;
    expect(withIdsOf(ours.body, capturedRequest.body_raw)).toBe(capturedRequest.body_raw);
    expect(ours.exchange?.name ?? "").toBe(capturedRequest.exchange);
    expect([ours.routingKey]).toEqual(capturedRequest.routing_keys);
    const expiration = capturedRequest.properties.expiration;
    expect(ours.expirationMs === undefined ? undefined : String(ours.expirationMs)).toBe(expiration);
  });

  it.each(["call", "call_namespace", "call_none_result", "call_compatible_version", "call_with_timeout"])(
    "the server's reply to %s",
    async (name) => {
      const scenario = loadScenario(name);
      const { transport } = setup();
      const server = new RpcServer(transport, { topic: "wire_topic", server: "wire_srv1" }, [
        ...endpoints,
        { version: "1.5", methods: { count: () => undefined } },
      ]);
      await server.start();
      const request = scenario.messages.find((m) => m.trace_kind === "publish")!;
      const capturedReply = scenario.messages
        .filter((m) => m.trace_kind === "publish" && m.exchange === "")
        .at(-1)!;
      const replyQ = capturedReply.routing_keys[0]!;
      // Feed the captured request in and consume its reply queue, as a Python client would.
      const replies: string[] = [];
      let gotReply = () => {};
      const replied = new Promise<void>((resolve) => {
        gotReply = resolve;
      });
      await transport.driver.subscribe(
        { queue: transport.topology.transientQueue(replyQ), bindings: [] },
        (d) => {
          d.ack();
          replies.push(d.body);
          gotReply();
        },
      );
      await transport.driver.publish({
        exchange: transport.topology.exchange("openstack"),
        routingKey: request.routing_keys[0]!,
        body: request.body_raw,
      });
      await replied;
      await server.stop();
      await transport.close();
      expect(replies).toHaveLength(1);
      expect(withIdsOf(replies[0]!, capturedReply.body_raw)).toBe(capturedReply.body_raw);
    },
  );
});
