import { InstanceCodec, InstanceListCodec } from "@nova/objects";
import {
  BuildAbortException,
  makeRpcClient,
  RescheduledException,
  toWireContext,
  UnexpectedDeletingTaskStateError,
} from "@nova/rpcapi";
import { FakeDriver, ImageUnacceptableError, PowerState } from "@nova/virt";
import { afterEach, describe, expect, it } from "vitest";
import { novaInstance } from "../src/test/index.js";
import { type Harness, startHarness } from "./harness.js";

const BUILD_EVENT = "compute__do_build_and_run_instance";
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function build(harness: Harness, uuid: string) {
  const row = harness.conductor.instance(uuid)!;
  return harness.computeApi.buildAndRunInstance(harness.ctx, harness.host, {
    instance: row,
    image: { id: row.image_ref, name: "cirros", disk_format: "qcow2", properties: {} },
    request_spec: {},
    node: harness.host,
  });
}

describe("build_and_run_instance", () => {
  it("spawns the guest and answers with its details, claiming the row for this host first", async () => {
    h = await startHarness();
    const row = h.conductor.seedInstance(novaInstance());
    const built = await build(h, row.uuid!);
    expect(built).toEqual({
      instance_uuid: row.uuid,
      host: "cpu-1",
      node: "cpu-1",
      power_state: PowerState.RUNNING,
      vm_state: "active",
      launched_at: `${new Date(h.clock.now()).toISOString().slice(0, 19)}Z`,
    });
    expect(h.driver.guests()).toEqual([
      {
        uuid: row.uuid,
        name: `instance-${row.id!.toString(16).padStart(8, "0")}`,
        state: PowerState.RUNNING,
      },
    ]);
    // One conditional save before spawning, as Nova's (scheduling|none) -> building/spawning with host and node.
    const saves = h.conductor.callsOf("Instance.save");
    expect(saves).toHaveLength(1);
    expect(saves[0]?.kwargs).toEqual({ expected_task_state: ["scheduling", null] });
    expect([...(saves[0]?.changes ?? [])].sort()).toEqual([
      "host",
      "launched_on",
      "node",
      "task_state",
      "vm_state",
    ]);
    expect(h.conductor.instance(row.uuid!)).toMatchObject({
      host: "cpu-1",
      node: "cpu-1",
      task_state: "spawning",
    });
    // The action events carry the caller's request id, so the conductor finds the action. As in Nova, the
    // event's finish (and the scheduler fanout) may still be on their way when the build answers.
    await h.service.manager.settled();
    expect(h.conductor.events.map((e) => [e.event, e.phase, e.failure, e.requestId])).toEqual([
      [BUILD_EVENT, "start", null, h.ctx.request_id],
      [BUILD_EVENT, "finish", null, h.ctx.request_id],
    ]);
    expect(h.conductor.events[0]?.host).toBe("cpu-1");
    await h.scheduler.received(1);
    const fanout = h.scheduler.calls[0]!;
    expect(fanout.method).toBe("update_instance_info");
    expect(fanout.args.host_name).toBe("cpu-1");
    const listed = InstanceListCodec.fromPrimitive(fanout.args.instance_info);
    expect(listed.map((i) => [i.uuid, i.vm_state, i.host])).toEqual([[row.uuid, "active", "cpu-1"]]);
  });

  it("a spawn failure another host may not have is a RescheduledException, and the row is released", async () => {
    h = await startHarness();
    const row = h.conductor.seedInstance(novaInstance());
    h.driver.injectFailure({ operation: "spawn", instanceUuid: row.uuid! });
    const err = await build(h, row.uuid!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RescheduledException);
    expect((err as RescheduledException).kwargs).toMatchObject({ instance_uuid: row.uuid });
    expect((err as Error).message).toContain("injected spawn failure");
    expect(h.driver.guests()).toEqual([]);
    expect(h.conductor.instance(row.uuid!)).toMatchObject({
      host: null,
      node: null,
      task_state: "scheduling",
    });
    const finish = h.conductor.events.find((e) => e.phase === "finish");
    expect(finish?.failure).toContain("injected spawn failure");
    // The conductor records the outcome of a build (it owns it): the compute writes no fault here.
    expect(h.conductor.faults).toEqual([]);
    // The failed build is counted for the BuildFailureWeigher on the next resource tracker pass.
    await h.clock.advance(60_000);
    await h.service.resourceTracker.stop();
    const node = [...h.conductor.computeNodes.values()][0];
    expect(node?.stats).toMatchObject({ failed_builds: "1" });
  });

  it("re-reads the server group and reschedules a build that would break anti-affinity (Nova's late check)", async () => {
    h = await startHarness();
    const other = h.conductor.seedInstance(
      novaInstance({ host: "cpu-1", vm_state: "active", task_state: null }),
    );
    const row = h.conductor.seedInstance(novaInstance());
    const group = "6a1b0000-0000-4000-8000-000000000001";
    h.conductor.groups.set(group, {
      id: 1,
      uuid: group,
      policy: "anti-affinity",
      policies: ["anti-affinity"],
      _rules: {},
      members: [other.uuid!, row.uuid!],
    });
    const hinted = h.computeApi.buildAndRunInstance(h.ctx, h.host, {
      instance: h.conductor.instance(row.uuid!)!,
      image: { id: row.image_ref, name: "cirros", disk_format: "qcow2", properties: {} },
      request_spec: {},
      filter_properties: { scheduler_hints: { group: [group] } },
      node: h.host,
    });
    const err = await hinted.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RescheduledException);
    expect((err as Error).message).toBe(
      `Build of instance ${row.uuid} was re-scheduled: Anti-affinity instance group policy was violated`,
    );
    // Nothing spawned, the row waits for the next host, and a refusal by policy is no failed build.
    expect(h.driver.guests()).toEqual([]);
    expect(h.conductor.instance(row.uuid!)).toMatchObject({
      host: null,
      node: null,
      task_state: "scheduling",
    });
    await h.clock.advance(60_000);
    await h.service.resourceTracker.stop();
    expect([...h.conductor.computeNodes.values()][0]?.stats?.failed_builds ?? "0").toBe("0");
  });

  it("a failure no host would fix (the image) is a BuildAbortException", async () => {
    h = await startHarness();
    const row = h.conductor.seedInstance(novaInstance());
    h.driver.injectFailure({
      operation: "spawn",
      error: new ImageUnacceptableError(row.image_ref!, "bad checksum"),
    });
    const err = await build(h, row.uuid!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildAbortException);
    expect((err as Error).message).toContain("bad checksum");
  });

  it("an instance being deleted is not built", async () => {
    h = await startHarness();
    const row = h.conductor.seedInstance(novaInstance({ task_state: "deleting" }));
    await expect(build(h, row.uuid!)).rejects.toBeInstanceOf(UnexpectedDeletingTaskStateError);
    expect(h.driver.guests()).toEqual([]);
    expect(h.conductor.instance(row.uuid!)?.task_state).toBe("deleting");
  });

  it("an instance without a flavor is aborted before the hypervisor is asked", async () => {
    h = await startHarness();
    const row = h.conductor.seedInstance(
      novaInstance({ flavor: undefined, vcpus: undefined, memory_mb: undefined } as never),
    );
    await expect(build(h, row.uuid!)).rejects.toBeInstanceOf(BuildAbortException);
    expect(h.driver.guests()).toEqual([]);
    // The claimed row is given back, as after any failed build.
    expect(h.conductor.instance(row.uuid!)).toMatchObject({
      host: null,
      node: null,
      task_state: "scheduling",
    });
  });

  it("serves Nova Zed's own build_and_run_instance (captured 6.0 request) and names the guest instance-%08x", async () => {
    h = await startHarness({ driver: new FakeDriver({ nodename: "peer-cpu-1" }), host: "peer-cpu-1" });
    const fixture = (await import("./fixtures/build_and_run_instance.json", { with: { type: "json" } }))
      .default;
    const msg = fixture.oslo_message as { args: Record<string, unknown>; version: string };
    expect(msg.version).toBe("6.0");
    h.conductor.seedInstance(InstanceCodec.fromPrimitive(msg.args.instance));
    // Sent exactly as Nova sent it: the args untouched, version 6.0.
    const built = await makeRpcClient({ transport: h.peer }, "compute", "6.0")
      .prepare({ server: "peer-cpu-1", timeout: 20 })
      .call(toWireContext(h.ctx), "build_and_run_instance", msg.args);
    expect(built).toMatchObject({
      instance_uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb",
      host: "peer-cpu-1",
      node: "peer-cpu-1",
      vm_state: "active",
      power_state: 1,
    });
    expect(h.driver.guests().map((g) => g.name)).toEqual(["instance-00000009"]);
  });
});
