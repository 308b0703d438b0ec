import { FakeClock } from "@nova/core/test";
import { Transport } from "@nova/messaging";
import { InstanceListCodec } from "@nova/objects";
import { adminContext, ComputeAPI, RescheduledException } from "@nova/rpcapi";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { FakeDriver, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ComputeService, createComputeService } from "../src/index.js";
import { FakeConductor, novaInstance, SchedulerFanoutRecorder } from "../src/test/index.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe("nova-compute over the real RabbitMQ", () => {
  it("serves build_and_run_instance on compute.<host> as a call, talking to the conductor over the broker", async () => {
    const vhost: TestVhost = await createTestVhost("compute");
    cleanups.push(() => vhost.dispose());
    // Three processes' worth of connections: the compute, a conductor, and the caller (with a scheduler).
    const computeTransport = new Transport(vhost.transportUrl);
    const conductorTransport = new Transport(vhost.transportUrl);
    const callerTransport = new Transport(vhost.transportUrl);
    cleanups.push(
      () => computeTransport.close(),
      () => conductorTransport.close(),
      () => callerTransport.close(),
    );
    const clock = new FakeClock();
    const conductor = new FakeConductor(conductorTransport, () => clock.now());
    await conductor.start();
    cleanups.push(() => conductor.stop());
    const scheduler = new SchedulerFanoutRecorder(callerTransport);
    await scheduler.start();
    cleanups.push(() => scheduler.stop());
    const driver = new FakeDriver();
    const compute: ComputeService = createComputeService({
      host: "rabbit-cpu-1",
      transport: computeTransport,
      driver,
      clock,
      config: { rpc_response_timeout: 30 },
    });
    await compute.start();
    cleanups.push(() => compute.stop());

    const api = new ComputeAPI({ transport: callerTransport, rpcResponseTimeout: 30 });
    const ctx = adminContext({ user_id: "admin", project_id: "admin" });
    const row = conductor.seedInstance(novaInstance());
    const built = await api.buildAndRunInstance(ctx, "rabbit-cpu-1", {
      instance: row,
      image: { id: row.image_ref, disk_format: "qcow2", properties: {} },
      request_spec: {},
      node: "rabbit-cpu-1",
    });
    expect(built).toMatchObject({
      instance_uuid: row.uuid,
      host: "rabbit-cpu-1",
      node: "rabbit-cpu-1",
      power_state: PowerState.RUNNING,
      vm_state: "active",
    });
    expect(driver.guests().map((g) => g.uuid)).toEqual([row.uuid]);
    expect(conductor.instance(row.uuid!)).toMatchObject({ host: "rabbit-cpu-1", task_state: "spawning" });
    await scheduler.received(1);
    expect(
      InstanceListCodec.fromPrimitive(scheduler.calls[0]?.args.instance_info).map((i) => i.uuid),
    ).toEqual([row.uuid]);

    // A failing spawn comes back as Nova's RescheduledException, rebuilt from the failure on the wire.
    const second = conductor.seedInstance(novaInstance());
    driver.injectFailure({ operation: "spawn", instanceUuid: second.uuid! });
    await expect(
      api.buildAndRunInstance(ctx, "rabbit-cpu-1", {
        instance: second,
        image: {},
        request_spec: {},
        node: "rabbit-cpu-1",
      }),
    ).rejects.toBeInstanceOf(RescheduledException);

    // Its heartbeat reaches the conductor over the broker too.
    await clock.advance(0);
    await vi.waitFor(() => expect(conductor.callsOf("Service.save")).toHaveLength(1), { timeout: 10_000 });
    expect(conductor.callsOf("Service.save")[0]?.changes).toEqual(["report_count"]);

    // The compute's queues are oslo's: the shared topic queue and its server queue.
    const queues = (await vhost.queues()).map((q) => q.name);
    expect(queues).toEqual(expect.arrayContaining(["compute", "compute.rabbit-cpu-1", "conductor"]));
  });
});
