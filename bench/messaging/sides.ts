// What bench/messaging measures, shared by run.ts and the single-configuration worker (in-flight-worker.ts).
import { randomUUID } from "node:crypto";
import { FakeBroker, type MessagingObserver, RpcClient, RpcServer, Transport } from "@nova/messaging";
import amqp from "amqplib";

export const BODY = { value: { id: 1, name: "bench", tags: ["a", "b"] } };
const CAST_WINDOW = 256;

export type Call = () => Promise<unknown>;

export async function throughput(call: Call, inFlight: number, seconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await call();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** Sends for `seconds` with at most `window` unconfirmed, then waits until `handled()` caught up. */
export async function pipelined(send: Call, handled: () => number, seconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: CAST_WINDOW }, async () => {
      while (performance.now() < deadline) {
        await send();
        sent += 1;
      }
    }),
  );
  while (handled() < sent) await new Promise((r) => setTimeout(r, 1));
  return sent / ((performance.now() - start) / 1000);
}

export interface Side {
  call: Call;
  cast: Call;
  handled: () => number;
  close(): Promise<void>;
}

/** Raw amqplib: request/reply with correlation ids and a confirmed publish/consume, nothing else. */
export async function rawSide(amqpUrl: string): Promise<Side> {
  const serverConn = await amqp.connect(amqpUrl, { noDelay: true });
  const clientConn = await amqp.connect(amqpUrl, { noDelay: true });
  const sch = await serverConn.createChannel();
  await sch.assertQueue("raw_rpc", { durable: false });
  await sch.consume("raw_rpc", (msg) => {
    if (!msg) return;
    sch.ack(msg);
    sch.sendToQueue(msg.properties.replyTo as string, msg.content, {
      correlationId: msg.properties.correlationId,
    });
  });
  const cch = await clientConn.createChannel();
  const { queue: replyQ } = await cch.assertQueue("", { exclusive: true });
  const waiting = new Map<string, () => void>();
  await cch.consume(
    replyQ,
    (msg) => {
      const id = msg?.properties.correlationId as string;
      waiting.get(id)?.();
      waiting.delete(id);
    },
    { noAck: true },
  );
  const body = Buffer.from(JSON.stringify(BODY));
  const pub = await clientConn.createConfirmChannel();
  await sch.assertQueue("raw_sink", { durable: false });
  let consumed = 0;
  await sch.consume("raw_sink", (msg) => {
    if (!msg) return;
    sch.ack(msg);
    consumed += 1;
  });
  return {
    call: () =>
      new Promise<void>((resolve) => {
        const id = randomUUID();
        waiting.set(id, resolve);
        cch.sendToQueue("raw_rpc", body, { correlationId: id, replyTo: replyQ });
      }),
    cast: () =>
      new Promise<void>((resolve, reject) => {
        pub.sendToQueue("raw_sink", body, {}, (err: unknown) => (err ? reject(err) : resolve()));
      }),
    handled: () => consumed,
    close: async () => {
      await clientConn.close();
      await serverConn.close();
    },
  };
}

/** @nova/messaging: two RpcServers on one topic, a client on its own transport. */
export async function novaSide(
  transportUrl: string,
  observer?: MessagingObserver,
  topic = "bench",
): Promise<Side & { fanout: Call; fanned: () => number }> {
  // `fake://` (no broker: what the messaging and telemetry code cost, without amqplib and RabbitMQ in the
  // figure) needs one in-process broker shared by both transports.
  const fakeBroker = transportUrl.startsWith("fake:") ? new FakeBroker() : undefined;
  const init = { ...(observer ? { observer } : {}), ...(fakeBroker ? { fakeBroker } : {}) };
  const serverSide = new Transport(transportUrl, init);
  const clientSide = new Transport(transportUrl, init);
  let sunk = 0;
  let fanned = 0;
  const servers = ["s1", "s2"].map(
    (name) =>
      new RpcServer(serverSide, { topic, server: name }, [
        {
          methods: {
            echo: (_c, { value }: { value: unknown }) => value,
            sink: () => {
              sunk += 1;
            },
            fan: () => {
              fanned += 1;
            },
          },
        },
      ]),
  );
  for (const s of servers) await s.start();
  const rpc = new RpcClient(clientSide, { topic });
  const fanout = rpc.prepare({ fanout: true });
  return {
    call: () => rpc.call({ request_id: "req-bench" }, "echo", BODY),
    cast: () => rpc.cast({ request_id: "req-bench" }, "sink", BODY),
    handled: () => sunk,
    fanout: () => fanout.cast({}, "fan", BODY),
    fanned: () => fanned,
    close: async () => {
      for (const s of servers) await s.stop();
      await clientSide.close();
      await serverSide.close();
    },
  };
}

export const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
