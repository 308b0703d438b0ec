import { FakeClock, MemoryLogger } from "@nova/core/test";
import { Transport } from "@nova/messaging";
import { adminContext, NoValidHost, SchedulerAPI } from "@nova/rpcapi";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSchedulerService, type SchedulerService } from "../src/index.js";
import { addComputeHost, CELL_UUID, freshCell, specFor, uuid } from "./harness.js";

// The same service over the real RabbitMQ: the call, Nova's exception on the way back, and a fanout.
describe("the scheduler service over rabbit://", () => {
  let vhost: TestVhost;
  let cell: Awaited<ReturnType<typeof freshCell>>;
  let server: Transport;
  let client: Transport;
  let service: SchedulerService;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    vhost = await createTestVhost("schedsvc");
    cell = await freshCell("sqlite", clock);
    await addComputeHost(cell.cell, "rabbit-1", { vcpus: 2, memory_mb: 2048, local_gb: 20 });
    server = new Transport(vhost.transportUrl);
    client = new Transport(vhost.transportUrl);
    service = createSchedulerService({
      transport: server,
      cellDb: cell.cell,
      clock,
      logger: new MemoryLogger(),
      cellUuid: CELL_UUID,
      config: { DEFAULT: { host: "sched-rabbit" } },
    });
    await service.start();
  });
  afterAll(async () => {
    await service.stop();
    await client.close();
    await server.close();
    await cell.dispose();
    await vhost.dispose();
  });

  it("answers select_destinations, sends NoValidHost back as Nova's exception, and takes fanouts", async () => {
    const api = new SchedulerAPI({ transport: client });
    const [sel] = await api.selectDestinations(
      adminContext(),
      specFor({ vcpus: 2, memory_mb: 512, root_gb: 5 }, uuid(1)),
      [uuid(1)],
    );
    expect(sel![0]).toMatchObject({ service_host: "rabbit-1", cell_uuid: CELL_UUID });
    expect(service.hostStates.instancesOn("rabbit-1").has(uuid(1))).toBe(true);

    const err = await api
      .selectDestinations(adminContext(), specFor({ vcpus: 1, memory_mb: 512, root_gb: 5 }, uuid(2)), [
        uuid(2),
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoValidHost);
    expect((err as NoValidHost).kwargs.reason).toMatch(
      /^Filtering removed all hosts\. 1 host\(s\) considered; Placement: 1 -> 0/,
    );

    await api.deleteInstanceInfo(adminContext(), "rabbit-1", uuid(1));
    await vi.waitFor(() => expect(service.hostStates.instancesOn("rabbit-1").has(uuid(1))).toBe(false), {
      timeout: 10_000,
    });
  });
});
