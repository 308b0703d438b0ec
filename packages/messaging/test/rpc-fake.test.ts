import { describe } from "vitest";
import { FakeBroker, Transport } from "../src/index.js";
import { rpcBehaviour } from "./rpc-behaviour.js";

describe("RPC over fake://", () => {
  rpcBehaviour({
    async open(logger) {
      const fakeBroker = new FakeBroker();
      const client = new Transport("fake://", { fakeBroker, ...(logger ? { logger } : {}) });
      const server = new Transport("fake://", { fakeBroker, ...(logger ? { logger } : {}) });
      return {
        client,
        server,
        close: async () => {
          await client.close();
          await server.close();
        },
      };
    },
  });
});
