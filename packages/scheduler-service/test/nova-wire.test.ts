import { NoValidHost } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addComputeHost, capturedSpec, deployment, novaMessage, specFor, uuid } from "./harness.js";

const CAPTURED_INSTANCE = "b8677b88-dfba-4423-a84a-b94d534f1cbb";
const CAPTURED_NODE = "4169b061-8681-413d-b721-3a382e7b692a";

function contextOf(message: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(message)
      .filter(([k]) => k.startsWith("_context_"))
      .map(([k, v]) => [k.slice("_context_".length), v]),
  );
}

function sortedChanges(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedChanges);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      k === "nova_object.changes" && Array.isArray(x) ? [...x].sort() : sortedChanges(x),
    ]),
  );
}

describe("Nova's own scheduler traffic", () => {
  let d: Awaited<ReturnType<typeof deployment>>;
  beforeEach(async () => {
    d = await deployment();
  });
  afterEach(async () => {
    await d.dispose();
  });

  it("answers Nova's captured select_destinations exactly as Nova's scheduler did", async () => {
    await addComputeHost(
      d.cell,
      "peer-cpu-1",
      { vcpus: 8, memory_mb: 8192, local_gb: 100 },
      { uuid: CAPTURED_NODE },
    );
    const { service } = d.scheduler();
    await service.start();
    const call = novaMessage("002_call_scheduler_select_destinations.json").oslo_message;
    const reply = novaMessage(
      "005_reply_reply_a0492b4f2e2b4b21ba239e0f47b09c39_reply_ending.json",
    ).oslo_message;

    const result = await service.manager.endpoint().methods.select_destinations!(
      contextOf(call),
      call.args as Record<string, unknown>,
    );
    // Everything equal but the order of nova_object.changes, which is Python set order in Nova.
    expect(sortedChanges(result)).toEqual(sortedChanges(reply.result));
    expect(JSON.stringify(result)).toHaveLength(JSON.stringify(reply.result).length);
    expect((await d.cell.computeNodes.getByUuid(CAPTURED_NODE)).memory_mb_used).toBe(64);
  });

  it("keeps each host's instances from the computes' fanouts, and the filters see them", async () => {
    await addComputeHost(d.cell, "peer-cpu-1", { vcpus: 8, memory_mb: 2048, local_gb: 100 });
    await addComputeHost(d.cell, "roomy", { vcpus: 64, memory_mb: 65536, local_gb: 1000 });
    const { service } = d.scheduler({
      filter_scheduler: { enabled_filters: "ComputeFilter,SameHostFilter,DifferentHostFilter" },
    });
    await service.start();
    const cache = service.hostStates;

    // nova-compute's update_instance_info after a build (captured): an InstanceList of one instance.
    const update = novaMessage("029_fanout-cast_scheduler_fanout_update_instance_info.json").oslo_message;
    const info = (update.args as { instance_info: unknown }).instance_info;
    await d.api.updateInstanceInfo(d.ctx(), "peer-cpu-1", info);
    await vi.waitFor(() => expect(cache.instancesOn("peer-cpu-1").has(CAPTURED_INSTANCE)).toBe(true));

    // same_host follows the instance to its host although "roomy" weighs far better.
    const near = specFor({ vcpus: 1, memory_mb: 64, root_gb: 1 }, uuid(1), {
      scheduler_hints: { same_host: [CAPTURED_INSTANCE] },
    });
    const [sel] = await d.api.selectDestinations(d.ctx(), near, [uuid(1)]);
    expect(sel![0]!.service_host).toBe("peer-cpu-1");
    const away = specFor({ vcpus: 1, memory_mb: 64, root_gb: 1 }, uuid(2), {
      scheduler_hints: { different_host: [CAPTURED_INSTANCE, uuid(1)] },
    });
    const [sel2] = await d.api.selectDestinations(d.ctx(), away, [uuid(2)]);
    expect(sel2![0]!.service_host).toBe("roomy");

    // delete_instance_info (captured): the instance is gone, so same_host finds no host.
    const del = novaMessage("022_fanout-cast_scheduler_fanout_delete_instance_info.json").oslo_message;
    const { host_name, instance_uuid } = del.args as { host_name: string; instance_uuid: string };
    await d.api.deleteInstanceInfo(d.ctx(), host_name, instance_uuid);
    await vi.waitFor(() => expect(cache.instancesOn("peer-cpu-1").has(CAPTURED_INSTANCE)).toBe(false));
    const orphan = specFor({ vcpus: 1, memory_mb: 64, root_gb: 1 }, uuid(3), {
      scheduler_hints: { same_host: [CAPTURED_INSTANCE] },
    });
    await expect(d.api.selectDestinations(d.ctx(), orphan, [uuid(3)])).rejects.toBeInstanceOf(NoValidHost);

    // sync_instance_info (captured) lists five instances this scheduler never heard of: the host's list is
    // re-read from the database instead, as Nova does.
    await d.cell.instances.create({ uuid: uuid(42), host: "peer-cpu-1", node: "peer-cpu-1" });
    const sync = novaMessage("003_fanout-cast_scheduler_fanout_sync_instance_info.json").oslo_message;
    const uuids = (sync.args as { instance_uuids: string[] }).instance_uuids;
    const reloads = cache.stats.instanceListReloads;
    await d.api.syncInstanceInfo(d.ctx(), "peer-cpu-1", uuids);
    await vi.waitFor(() => expect(cache.stats.instanceListReloads).toBe(reloads + 1));
    expect([...cache.instancesOn("peer-cpu-1")]).toEqual([uuid(42)]);
    expect([...service.hostStates.hosts.get("peer-cpu-1", "peer-cpu-1").instances]).toEqual([uuid(42)]);
    // A sync that matches changes nothing.
    await d.api.syncInstanceInfo(d.ctx(), "peer-cpu-1", [uuid(42)]);
    await d.api.syncInstanceInfo(d.ctx(), "unknown-host", []);
    await vi.waitFor(() => expect(cache.stats.instanceListReloads).toBe(reloads + 2));
  });

  it("drains: stop() waits for the request in flight, which still gets its answer", async () => {
    await addComputeHost(d.cell, "h1", { vcpus: 4, memory_mb: 4096, local_gb: 100 });
    const { service } = d.scheduler();
    await service.start();
    // Hold the claim in the database until the test lets it go.
    const claims = d.cell.computeNodes;
    const realClaim = claims.claim.bind(claims);
    let reached!: () => void;
    const atClaim = new Promise<void>((r) => {
      reached = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    claims.claim = async (...args: Parameters<typeof realClaim>) => {
      reached();
      await gate;
      return realClaim(...args);
    };
    const answer = d.api.selectDestinations(d.ctx(), capturedSpec(), [uuid(1)]);
    await atClaim;
    let stopped = false;
    const stopping = service.stop().then(() => {
      stopped = true;
    });
    // Let every other pending callback run: stop() must still be waiting.
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    const [sel] = await answer;
    await stopping;
    expect(stopped).toBe(true);
    expect(sel![0]!.service_host).toBe("h1");
  });
});
