import { describe, expect, expectTypeOf, it } from "vitest";
import { FakeBroker } from "../drivers/fake-broker.js";
import { Transport } from "../transport.js";
import type { RequestContext } from "../wire/request-context.js";
import { RpcClient } from "./rpc-client.js";
import { RpcServer } from "./rpc-server.js";

/** How a Nova service would declare its RPC interface once, for its client and its manager. */
type SchedulerMethods = {
  select_destinations(ctx: RequestContext, args: { spec: { vcpus: number }; max: number }): Promise<string[]>;
  ping(ctx: RequestContext, args: Record<string, never>): "pong";
};

describe("typed RPC interfaces", () => {
  it("types arguments and results from one method map shared by client and endpoint", async () => {
    const manager: SchedulerMethods = {
      select_destinations: async (_ctx, { spec, max }) =>
        Array.from({ length: max }, (_, i) => `host${i}-${spec.vcpus}`),
      ping: () => "pong",
    };
    const fakeBroker = new FakeBroker();
    const transport = new Transport("fake://", { fakeBroker });
    const server = new RpcServer(transport, { topic: "scheduler", server: "s" }, [
      { version: "4.5", methods: manager },
    ]);
    await server.start();
    const client = new RpcClient<SchedulerMethods>(transport, { topic: "scheduler", version: "4.5" });
    const hosts = await client.call({ request_id: "r" }, "select_destinations", {
      spec: { vcpus: 2 },
      max: 2,
    });
    expectTypeOf(hosts).toEqualTypeOf<string[]>();
    expect(hosts).toEqual(["host0-2", "host1-2"]);
    expect(await client.prepare({ timeout: 5 }).call({}, "ping", {})).toBe("pong");
    // The compiler refuses wrong argument types and unknown methods (checked by tsc, never run).
    const typeChecks = () => [
      // @ts-expect-error max must be a number
      client.call({}, "select_destinations", { spec: { vcpus: 2 }, max: "2" }),
      // @ts-expect-error no such method in the interface
      client.cast({}, "no_such_method", {}),
    ];
    void typeChecks;
    await server.stop();
    await transport.close();
  });
});
