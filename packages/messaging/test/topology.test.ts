import { createTestVhost, type TestVhost } from "@nova/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type MessagingOptionsInput, RpcClient, RpcServer, Transport } from "../src/index.js";
import { bindings, connections, eventually, normalizeName } from "./broker.js";
import { loadBrokerFixture } from "./fixtures.js";

type Arg = [string, string, unknown];
interface FixtureQueue {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Arg[];
  type: string;
}
interface FixtureExchange {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
}
interface Variant {
  set: string[];
  queues: FixtureQueue[];
  exchanges: FixtureExchange[];
  connection_heartbeat_timeouts: number[];
}

const shapeQueue = (
  q: { name: string; durable: boolean; auto_delete: boolean; type?: string },
  args: object,
) => ({
  name: normalizeName(q.name),
  durable: q.durable,
  auto_delete: q.auto_delete,
  arguments: args,
  type: q.type ?? "classic",
});
const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

async function runOsloScenario(
  vhost: TestVhost,
  topic: string,
  exchange: string,
  options: MessagingOptionsInput,
) {
  const transport = new Transport(vhost.transportUrl, {
    options: { ...options, control_exchange: exchange },
  });
  const server = new RpcServer(transport, { topic, server: "v1" }, [
    { version: "1.5", methods: { echo: (_ctx, { value }) => value } },
  ]);
  await server.start();
  const client = new RpcClient(transport, { topic });
  expect(await client.call({}, "echo", { value: 1 })).toBe(1);
  await client.prepare({ fanout: true }).cast({}, "echo", { value: 2 });
  return { transport, server };
}

async function brokerState(vhost: TestVhost) {
  const queues = (await vhost.queues())
    .map((q) => shapeQueue(q as typeof q & { type?: string }, q.arguments))
    .sort(byName);
  const exchanges = (await vhost.exchanges())
    .filter((e) => e.name !== "" && !e.name.startsWith("amq."))
    .map((e) => ({ name: e.name, type: e.type, durable: e.durable, auto_delete: e.auto_delete }))
    .sort(byName);
  return { queues, exchanges };
}

describe("topology on a real broker matches what oslo.messaging 14 declares", () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });

  const variants = loadBrokerFixture<Record<string, Variant>>("_broker_option_variants");
  const optionFor: Record<string, MessagingOptionsInput> = {
    amqp_durable_queues: { amqp_durable_queues: true },
    amqp_auto_delete: { amqp_auto_delete: true },
    rabbit_quorum_queue: { rabbit_quorum_queue: true },
    rabbit_ha_queues: { rabbit_ha_queues: true },
    rabbit_transient_queues_ttl_60: { rabbit_transient_queues_ttl: "60" },
    heartbeat_timeout_threshold_10: { heartbeat_timeout_threshold: 10 },
  };

  it("covers every captured option variant", () => {
    expect(Object.keys(variants).sort()).toEqual(Object.keys(optionFor).sort());
  });

  it.each(Object.keys(optionFor))("declares the %s variant exactly as captured", async (name) => {
    const variant = variants[name]!;
    const vhost = await createTestVhost("msg-topo");
    cleanup.push(() => vhost.dispose());
    const { transport, server } = await runOsloScenario(
      vhost,
      `wire_v_${name}`,
      `wire_x_${name}`,
      optionFor[name]!,
    );
    cleanup.push(async () => {
      await server.stop();
      await transport.close();
    });
    const actual = await brokerState(vhost);
    const expected = {
      queues: variant.queues
        .map((q) => shapeQueue(q, Object.fromEntries(q.arguments.map(([k, , v]) => [k, v]))))
        .sort(byName),
      exchanges: variant.exchanges
        .map((e) => ({ name: e.name, type: e.type, durable: e.durable, auto_delete: e.auto_delete }))
        .sort(byName),
    };
    expect(actual).toEqual(expected);
    // The management API lists connections only after its next stats tick (~5 s): check where it matters.
    if (!name.startsWith("heartbeat")) return;
    const timeouts = await eventually(async () => {
      const list = await connections(vhost);
      return list.length > 0 ? list.map((c) => c.timeout) : undefined;
    });
    expect(new Set(timeouts)).toEqual(new Set(variant.connection_heartbeat_timeouts));
  });

  it("declares the default topology: queues, exchanges, bindings, AMQPLAIN and a connection name", async () => {
    const fixture = loadBrokerFixture<{
      queues: FixtureQueue[];
      exchanges: FixtureExchange[];
      bindings: Array<{ source_name: string; destination_name: string; routing_key: string }>;
    }>("_broker_default_config");
    const vhost = await createTestVhost("msg-topo");
    cleanup.push(() => vhost.dispose());
    const transport = new Transport(vhost.transportUrl);
    const servers = ["wire_srv1", "wire_srv2"].map(
      (s) => new RpcServer(transport, { topic: "wire_topic", server: s }, [{ methods: { echo: () => 1 } }]),
    );
    for (const s of servers) await s.start();
    const client = new Transport(vhost.transportUrl);
    cleanup.push(async () => {
      for (const s of servers) await s.stop();
      await transport.close();
      await client.close();
    });
    await new RpcClient(client, { topic: "wire_topic" }).call({}, "echo");
    await new RpcClient(transport, { topic: "wire_topic" }).call({}, "echo");

    const actual = await brokerState(vhost);
    const expectedQueues = fixture.queues
      .map((q) => shapeQueue(q, Object.fromEntries(q.arguments.map(([k, , v]) => [k, v]))))
      .sort(byName);
    expect(actual.queues).toEqual(expectedQueues);
    expect(actual.exchanges).toEqual(
      fixture.exchanges
        .filter((e) => e.name !== "")
        .map((e) => ({ name: e.name, type: e.type, durable: e.durable, auto_delete: e.auto_delete }))
        .sort(byName),
    );
    const key = (b: { source: string; destination: string; routing_key: string }) =>
      `${b.source}|${normalizeName(b.destination)}|${normalizeName(b.routing_key)}`;
    const actualBindings = (await bindings(vhost)).map(key).sort();
    const expectedBindings = fixture.bindings
      .map((b) => key({ source: b.source_name, destination: b.destination_name, routing_key: b.routing_key }))
      .sort();
    expect(actualBindings).toEqual(expectedBindings);
    const conns = await eventually(async () => {
      const list = await connections(vhost);
      return list.length === 2 ? list : undefined;
    });
    for (const c of conns) {
      expect(c.auth_mechanism).toBe("AMQPLAIN");
      expect(c.timeout).toBe(60);
      expect(String(c.client_properties.connection_name)).toMatch(/^[^:]+:\d+:[0-9a-f-]{36}$/);
    }
  });
});
