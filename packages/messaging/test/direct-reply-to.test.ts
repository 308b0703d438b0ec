import { createTestVhost } from "@nova/testing";
import { describe, expect, it } from "vitest";
import { RemoteError, RpcClient, RpcServer, Transport } from "../src/index.js";
import { createTestEndpoint } from "../src/test/index.js";

describe("direct reply-to (opt-in, TS peers only)", () => {
  it("replies through amq.rabbitmq.reply-to and declares no reply_<uuid> queue", async () => {
    const vhost = await createTestVhost("msg-direct");
    const options = { rabbit_direct_reply_to: true };
    const serverSide = new Transport(vhost.transportUrl, { options });
    const clientSide = new Transport(vhost.transportUrl, { options });
    const server = new RpcServer(serverSide, { topic: "d", server: "s" }, [createTestEndpoint()]);
    try {
      await server.start();
      const rpc = new RpcClient(clientSide, { topic: "d" });
      expect(clientSide.replyWaiter().queueName).toBe("amq.rabbitmq.reply-to");
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rpc.call({}, "add", { a: i, b: 1 })),
      );
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await expect(rpc.call({}, "fail", { message: "x" })).rejects.toBeInstanceOf(RemoteError);
      const names = (await vhost.queues()).map((q) => q.name);
      expect(names.filter((n) => n.startsWith("reply_"))).toEqual([]);
      expect(names).toContain("d");
    } finally {
      await server.stop();
      await clientSide.close();
      await serverSide.close();
      await vhost.dispose();
    }
  });
});
