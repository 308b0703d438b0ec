import type { Notification } from "@nova/messaging";
import { createLogger } from "@nova/runtime";
import { type ControlPlane, createControlPlane } from "@nova/runtime/control-plane";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type RpcPeer, startRpcPeer } from "../src/rpc-peer.js";

// A nova-ts cloud on the real broker, with versioned notifications on (as an operator sets them for Nova), and
// the peer beside it knowing nothing but the transport URL.
describe("an RPC peer on a running cloud's bus", () => {
  let vhost: TestVhost;
  let cloud: ControlPlane;
  let peer: RpcPeer;
  const seen: Notification[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost("rpc-peer");
    cloud = await createControlPlane({
      computes: 2,
      services: ["conductor", "compute"],
      config: {
        options: {
          DEFAULT: { transport_url: vhost.transportUrl, report_interval: "1", service_down_time: "3" },
          notifications: { notification_format: "versioned" },
          oslo_messaging_notifications: { driver: "messagingv2" },
        },
      },
      logger: createLogger("rpc-peer-test", { level: "silent" }),
    });
    peer = await startRpcPeer({ transportUrl: vhost.transportUrl, onNotification: (n) => seen.push(n) });
  });

  afterAll(async () => {
    await peer?.stop();
    await cloud?.stop();
    await vhost?.dispose();
  });

  it("reads a compute's service record through nova-conductor's object_class_action_versions", async () => {
    const service = await peer.serviceByHostAndBinary("fake-1", "nova-compute");
    expect(service).toMatchObject({ host: "fake-1", binary: "nova-compute", disabled: false });
    expect(await peer.serviceByHostAndBinary("nowhere", "nova-compute")).toBeNull();
  });

  it("hears service.update when a compute stops reporting", async () => {
    const compute = cloud.services.find((s) => s.name === "nova-compute fake-2")!;
    await compute.stop();
    await vi.waitFor(
      () => {
        const update = seen.find((n) => n.eventType === "service.update");
        expect(update?.payload).toMatchObject({
          "nova_object.name": "ServiceStatusPayload",
          "nova_object.data": { host: "fake-2", binary: "nova-compute", is_up: false },
        });
      },
      { timeout: 20_000, interval: 100 },
    );
  });
});
