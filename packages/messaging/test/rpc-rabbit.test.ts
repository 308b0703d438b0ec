import { createTestVhost } from "@nova/testing";
import { describe } from "vitest";
import { Transport } from "../src/index.js";
import { rpcBehaviour } from "./rpc-behaviour.js";

describe("RPC over rabbit:// (real broker, own vhost)", () => {
  rpcBehaviour({
    async open(logger) {
      const vhost = await createTestVhost("msg-rpc");
      const client = new Transport(vhost.transportUrl, logger ? { logger } : {});
      const server = new Transport(vhost.transportUrl, logger ? { logger } : {});
      return {
        client,
        server,
        close: async () => {
          await client.close();
          await server.close();
          await vhost.dispose();
        },
      };
    },
  });
});
