import { readFileSync } from "node:fs";
import { silentLogger } from "@nova/core";
import { FakeClock } from "@nova/core/test";
import { ComputeNodeCodec, InstanceCodec, ServiceCodec } from "@nova/objects";
import {
  adminContext,
  ComputeHostNotFound,
  ConductorAPI,
  ConductorObjectsAPI,
  InstanceGroupNotFound,
  InstanceNotFound,
  OBJECT_VERSIONS,
  ServiceNotFound,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
  userContext,
} from "@nova/rpcapi";
import { HeartbeatRecorder } from "@nova/servicegroup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConductorObjectManager } from "../src/conductor-object-manager.js";
import { DbHeartbeatStore } from "../src/db-heartbeat-store.js";
import {
  addComputeHost,
  type Backend,
  type Databases,
  fakeBus,
  openDatabases,
  tinyFlavor,
} from "./support.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")).oslo_message;

/** Runs `p` while moving the fake clock, so batched heartbeat writes happen. */
async function withTime<T>(clock: FakeClock, p: Promise<T>): Promise<T> {
  let done = false;
  const settled = p.finally(() => {
    done = true;
  });
  settled.catch(() => undefined); // awaited below; not unhandled while time moves
  for (let i = 0; i < 200 && !done; i++) await clock.advance(10);
  return settled;
}

const START = Date.UTC(2026, 10, 27, 7, 8, 43);

function suite(backend: Backend, scope: "all" | "core") {
  describe(`conductor object methods on ${backend}`, () => {
    let dbs: Databases;
    let clock: FakeClock;
    let api: ConductorAPI;
    let objects: ConductorObjectsAPI;
    const bus = fakeBus();

    beforeAll(async () => {
      clock = new FakeClock(START);
      dbs = await openDatabases(backend, clock);
      const store = new DbHeartbeatStore(dbs.cellDb);
      const recorder = new HeartbeatRecorder({ store, clock, logger: silentLogger, batchWindowMs: 20 });
      const manager = new ConductorObjectManager({
        cellDb: dbs.cellDb,
        apiDb: dbs.apiDb,
        recorder,
        logger: silentLogger,
      });
      await bus.serve(bus.transport(), "conductor", "ctl-1", manager.endpoint());
      api = new ConductorAPI({ transport: bus.transport(), rpcResponseTimeout: 30 });
      objects = new ConductorObjectsAPI(api);
    });
    afterAll(async () => {
      await bus.close();
      await dbs.dispose();
    });

    it("registers a service, finds it, and records Nova's Service.save heartbeat with Nova's reply", async () => {
      const ctx = adminContext();
      await expect(objects.serviceGetByHostAndBinary(ctx, "peer-cpu-1", "nova-compute")).resolves.toBeNull();
      const created = await objects.serviceCreate(ctx, {
        host: "peer-cpu-1",
        binary: "nova-compute",
        topic: "compute",
        report_count: 0,
        disabled: false,
      });
      expect(created.id).toEqual(expect.any(Number));
      expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);
      await expect(
        objects.serviceCreate(ctx, { host: "peer-cpu-1", binary: "nova-compute", topic: "compute" }),
      ).rejects.toThrow(/exists/);

      // The captured heartbeat, pointed at the row just created.
      const request = fixture("003_call_conductor_object_action_Service.save_.json");
      const objinst = structuredClone(request.args.objinst);
      objinst["nova_object.data"].id = created.id;
      clock.set(Date.UTC(2026, 10, 27, 7, 8, 43));
      const [updates, result] = await withTime(clock, api.objectAction(ctx, objinst, "save"));
      const captured = fixture("004_reply_reply_9827226d9191484ebd6b3f3d973c3917_reply_ending.json");
      expect(result).toBeNull();
      expect(Object.keys(updates).sort()).toEqual(Object.keys(captured.result[0]).sort());
      expect(updates.obj_what_changed).toEqual([]);
      expect(updates.last_seen_up).toBe("2026-11-27T07:08:43Z");
      const row = await dbs.cellDb.services.getByHostAndBinary("peer-cpu-1", "nova-compute");
      expect(row.report_count).toBe(37);
      expect(row.last_seen_up?.toISOString()).toBe("2026-11-27T07:08:43.000Z");

      const byHost = ServiceCodec.fromPrimitive(
        await api.objectClassActionVersions(ctx, "Service", "get_by_compute_host", OBJECT_VERSIONS, [
          "peer-cpu-1",
        ]),
      );
      expect(byHost).toMatchObject({ id: created.id, report_count: 37 });
      await expect(
        api.objectClassActionVersions(ctx, "Service", "get_by_compute_host", OBJECT_VERSIONS, ["nowhere"]),
      ).rejects.toBeInstanceOf(ComputeHostNotFound);
    });

    it("saves a service's other changes as a plain save, and refuses a heartbeat from an unknown service", async () => {
      const ctx = adminContext();
      const svc = await objects.serviceCreate(ctx, {
        host: "peer-cpu-2",
        binary: "nova-compute",
        topic: "compute",
      });
      const [updates] = await api.objectAction(
        ctx,
        ServiceCodec.toPrimitive(
          { ...svc, disabled: true, disabled_reason: "maintenance" },
          {
            changes: ["disabled", "disabled_reason"],
          },
        ),
        "save",
      );
      expect(updates).toMatchObject({ obj_what_changed: [] });
      expect((await dbs.cellDb.services.get(svc.id!)).disabled_reason).toBe("maintenance");
      const ghost = ServiceCodec.toPrimitive(
        { id: 999, host: "ghost", binary: "nova-compute", report_count: 3 },
        { changes: ["report_count"] },
      );
      await expect(withTime(clock, api.objectAction(ctx, ghost, "save"))).rejects.toBeInstanceOf(
        ServiceNotFound,
      );
    });

    it("saves instances conditionally: expected task state, deleting, gone", async () => {
      const ctx = adminContext();
      await dbs.cellDb.instances.create({
        uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb",
        vm_state: "building",
        task_state: "scheduling",
        project_id: "admin",
      });
      // Nova's own first save of a build (captured), expected_task_state [scheduling, None].
      const request = fixture("009_call_conductor_object_action_Instance.save_.json");
      const [updates, result] = await api.objectAction(
        ctx,
        request.args.objinst,
        "save",
        request.args.args,
        request.args.kwargs,
      );
      expect(result).toBeNull();
      expect(updates.obj_what_changed).toEqual([]);
      expect(updates.id).toEqual(expect.any(Number));
      const row = await dbs.cellDb.instances.get("b8677b88-dfba-4423-a84a-b94d534f1cbb");
      expect(row.task_state).toBeNull();
      expect(row.vm_state).toBe("building");

      const inst = { uuid: row.uuid, task_state: "spawning" as const };
      await expect(
        objects.instanceSave(ctx, inst, ["task_state"], { expectedTaskState: ["scheduling"] }),
      ).rejects.toBeInstanceOf(UnexpectedTaskStateError);
      const vmErr = (await objects
        .instanceSave(ctx, { uuid: row.uuid, task_state: "spawning" }, ["task_state"], {
          expectedVmState: ["active"],
        })
        .catch((e: unknown) => e)) as { failure?: { className: string; module: string } };
      expect(vmErr.failure).toMatchObject({ className: "UnexpectedVMStateError", module: "nova.exception" });
      await dbs.cellDb.instances.update(row.uuid, { task_state: "deleting" });
      const err = await objects
        .instanceSave(ctx, { ...inst, vm_state: "active" }, ["vm_state"], {
          expectedTaskState: ["spawning", null],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnexpectedDeletingTaskStateError);
      expect((await dbs.cellDb.instances.get(row.uuid)).vm_state).toBe("building");
      await expect(
        objects.instanceSave(ctx, { uuid: "00000000-0000-4000-8000-00000000dead", vm_state: "active" }, [
          "vm_state",
        ]),
      ).rejects.toBeInstanceOf(InstanceNotFound);
    });

    it("destroys an instance once and gives back its claim on the compute node", async () => {
      const ctx = adminContext();
      const node = await addComputeHost(dbs.cellDb, "peer-cpu-3");
      await dbs.cellDb.computeNodes.claim(node.uuid, { vcpus: 1, memory_mb: 512, local_gb: 1 });
      const inst = await dbs.cellDb.instances.create({
        uuid: "6a1f6a1f-0000-4000-8000-000000000001",
        host: "peer-cpu-3",
        node: "peer-cpu-3",
        vcpus: 1,
        memory_mb: 512,
        root_gb: 1,
        ephemeral_gb: 0,
        vm_state: "active",
      });
      const destroyed = await objects.instanceDestroy(
        ctx,
        InstanceCodec.fromPrimitive(InstanceCodec.toPrimitive(inst)),
      );
      expect(destroyed.deleted).toBe(true);
      const after = await dbs.cellDb.computeNodes.getByUuid(node.uuid);
      expect([after.vcpus_used, after.memory_mb_used, after.local_gb_used]).toEqual([0, 0, 0]);
      await expect(objects.instanceDestroy(ctx, { uuid: inst.uuid })).rejects.toBeInstanceOf(
        InstanceNotFound,
      );
      expect((await dbs.cellDb.computeNodes.getByUuid(node.uuid)).vcpus_used).toBe(0);
    });

    it("gives back the whole DISK_GB claim of a flavor with swap (root + ephemeral + swap rounded up)", async () => {
      const ctx = adminContext();
      const node = await addComputeHost(dbs.cellDb, "peer-cpu-5");
      const sizes = { vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 1 };
      // What the scheduler claimed, as Nova's resources_from_flavor counts it: 1 + 1 + ceil(1536 / 1024) GB.
      await dbs.cellDb.computeNodes.claim(node.uuid, { vcpus: 1, memory_mb: 512, local_gb: 4 });
      const inst = await dbs.cellDb.instances.create({
        ...sizes,
        flavor: { ...tinyFlavor, ...sizes, swap: 1536 },
        uuid: "6a1f6a1f-0000-4000-8000-000000000005",
        host: node.host,
        node: node.hypervisor_hostname,
        vm_state: "active",
      });
      await objects.instanceDestroy(ctx, InstanceCodec.fromPrimitive(InstanceCodec.toPrimitive(inst)));
      const after = await dbs.cellDb.computeNodes.getByUuid(node.uuid);
      expect([after.vcpus_used, after.memory_mb_used, after.local_gb_used]).toEqual([0, 0, 0]);
    });

    it("reads a server group by hint and its members' hosts for the compute's late affinity check", async () => {
      const ctx = adminContext();
      const [a, b, gone] = ["a", "b", "c"].map((x) => `5e1f0000-0000-4000-8000-00000000000${x}`) as [
        string,
        string,
        string,
      ];
      await dbs.cellDb.instances.create({ uuid: a, vm_state: "active", host: "sg-host-1", project_id: "p" });
      await dbs.cellDb.instances.create({ uuid: b, vm_state: "active", host: "sg-host-2", project_id: "p" });
      await dbs.cellDb.instances.create({
        uuid: gone,
        vm_state: "active",
        host: "sg-host-3",
        project_id: "p",
      });
      await dbs.cellDb.instances.destroy(gone, {}, { terminate: true });
      const stored = await dbs.apiDb.serverGroups.create({
        name: "late",
        user_id: "u",
        project_id: "p",
        policy: "anti-affinity",
        rules: { max_server_per_host: "2" },
        members: [a, b, gone],
      });
      const group = await objects.instanceGroupGetByHint(ctx, stored.uuid);
      expect(group).toMatchObject({
        uuid: stored.uuid,
        policy: "anti-affinity",
        _rules: { max_server_per_host: "2" },
        members: [a, b, gone],
      });
      // Deleted members hold no host; the instance being checked is left out.
      expect((await objects.instanceGroupGetHosts(ctx, group, [])).sort()).toEqual([
        "sg-host-1",
        "sg-host-2",
      ]);
      expect(await objects.instanceGroupGetHosts(ctx, group, [a])).toEqual(["sg-host-2"]);
      await expect(
        objects.instanceGroupGetByHint(ctx, "5e1f0000-0000-4000-8000-0000000000ff"),
      ).rejects.toBeInstanceOf(InstanceGroupNotFound);
    });

    if (scope === "core") return;

    it("creates, lists and saves compute nodes", async () => {
      const ctx = adminContext();
      const svc = await objects.serviceCreate(ctx, {
        host: "peer-cpu-4",
        binary: "nova-compute",
        topic: "compute",
      });
      expect(await objects.computeNodesGetAllByHost(ctx, "peer-cpu-4")).toEqual([]);
      const node = await objects.computeNodeCreate(ctx, {
        service_id: svc.id!,
        host: "peer-cpu-4",
        hypervisor_hostname: "peer-cpu-4",
        vcpus: 8,
        memory_mb: 16384,
        local_gb: 200,
        hypervisor_type: "fake",
        hypervisor_version: 1000,
      });
      expect(node.id).toEqual(expect.any(Number));
      expect(node.uuid).toMatch(/^[0-9a-f-]{36}$/);
      const saved = await objects.computeNodeSave(ctx, { ...node, vcpus: 16 }, ["vcpus"]);
      expect(saved.vcpus).toBe(16);
      const listed = await objects.computeNodesGetAllByHost(ctx, "peer-cpu-4");
      expect(listed.map((n) => [n.id, n.vcpus])).toEqual([[node.id, 16]]);
      await expect(
        api.objectAction(
          ctx,
          ComputeNodeCodec.toPrimitive({ id: 9999, vcpus: 1 }, { changes: ["vcpus"] }),
          "save",
        ),
      ).rejects.toBeInstanceOf(ComputeHostNotFound);
    });

    it("records instance action events under the caller's request id (captured Nova calls)", async () => {
      const ctx = userContext({ user_id: "admin", project_id: "admin" });
      const uuid = "b8677b88-dfba-4423-a84a-b94d534f1cbb";
      await dbs.cellDb.actions.start({ instance_uuid: uuid, action: "create", request_id: ctx.request_id });
      const start = fixture(
        "007_call_conductor_object_class_action_versions_InstanceActionEvent.event_start.json",
      );
      const finish = fixture(
        "030_call_conductor_object_class_action_versions_InstanceActionEvent.event_finis.json",
      );
      const s = start.args;
      const f = finish.args;
      await expect(
        api.objectClassActionVersions(ctx, s.objname, s.objmethod, s.object_versions, s.args, s.kwargs),
      ).resolves.toBeNull();
      await expect(
        api.objectClassActionVersions(ctx, f.objname, f.objmethod, f.object_versions, f.args, f.kwargs),
      ).resolves.toBeNull();
      const action = await dbs.cellDb.actions.getByRequestId(uuid, ctx.request_id);
      const events = await dbs.cellDb.actions.events(action.id);
      expect(events.map((e) => [e.event, e.result, e.host])).toEqual([
        ["compute__do_build_and_run_instance", "Success", "peer-cpu-1"],
      ]);
      await expect(
        api.objectClassActionVersions(
          adminContext(),
          s.objname,
          s.objmethod,
          s.object_versions,
          s.args,
          s.kwargs,
        ),
      ).rejects.toThrow(/Action for request_id .* not found/);
    });

    it("reads an instance and a host's instances, and records a fault, for computes", async () => {
      const ctx = adminContext();
      const uuid = "0c4e9a7e-1111-4222-8333-944455556666";
      await dbs.cellDb.instances.create({ uuid, vm_state: "active", host: "reader-host", project_id: "p" });
      expect((await objects.instanceGetByUuid(ctx, uuid)).host).toBe("reader-host");
      expect((await objects.instancesGetByHost(ctx, "reader-host")).map((i) => i.uuid)).toEqual([uuid]);
      await expect(
        objects.instanceGetByUuid(ctx, "0c4e9a7e-1111-4222-8333-000000000000"),
      ).rejects.toMatchObject({
        name: "InstanceNotFound",
      });
      const fault = await objects.instanceFaultCreate(ctx, {
        instance_uuid: uuid,
        code: 500,
        message: "spawn failed",
        details: "trace",
        host: "reader-host",
      });
      expect(typeof fault.id).toBe("number");
      const latest = await dbs.cellDb.faults.latestFor([uuid]);
      expect(latest.get(uuid)).toMatchObject({ code: 500, message: "spawn failed", host: "reader-host" });
    });

    it("answers malformed requests with ObjectActionError and keeps serving", async () => {
      const ctx = adminContext();
      const remote = async (p: Promise<unknown>) => {
        const err = (await p.catch((e: unknown) => e)) as {
          failure?: { className: string; message: string };
        };
        return `${err.failure?.className}: ${err.failure?.message}`;
      };
      expect(await remote(api.objectAction(ctx, { not: "an object" }, "save"))).toMatch(
        /^ObjectActionError: .*not a Nova object primitive/,
      );
      expect(await remote(api.objectAction(ctx, ServiceCodec.toPrimitive({ id: 1 }), "refresh"))).toMatch(
        /^ObjectActionError: Object action Service.refresh failed because: this conductor does not serve/,
      );
      expect(
        await remote(
          api.objectAction(
            ctx,
            { ...ServiceCodec.toPrimitive({ id: 1 }), "nova_object.version": "2.0" },
            "save",
          ),
        ),
      ).toMatch(/^ObjectActionError: .*not compatible/);
      expect(
        await remote(
          api.objectAction(
            ctx,
            InstanceCodec.toPrimitive({ vm_state: "active" }, { changes: ["vm_state"] }),
            "save",
          ),
        ),
      ).toMatch(/^ObjectActionError: .*has no uuid/);
      expect(
        await remote(
          api.objectAction(
            ctx,
            InstanceCodec.toPrimitive({ uuid: "b8677b88-dfba-4423-a84a-b94d534f1cbb" }),
            "save",
            [],
            { expected_task_state: 5 },
          ),
        ),
      ).toMatch(/^ObjectActionError: .*expected_task_state must be strings/);
      expect(
        await remote(
          api.objectClassActionVersions(ctx, "Service", "get_by_host_and_binary", OBJECT_VERSIONS, ["h"], {
            bogus: 1,
          }),
        ),
      ).toMatch(/^ObjectActionError: .*unexpected keyword argument bogus/);
      expect(
        await remote(
          api.objectClassActionVersions(ctx, "MigrationList", "get_in_progress_and_error", OBJECT_VERSIONS, [
            "x",
          ]),
        ),
      ).toMatch(/^ObjectActionError: .*does not serve/);
      // Still serving.
      await expect(objects.serviceGetByHostAndBinary(ctx, "nope", "nova-compute")).resolves.toBeNull();
    });
  });
}

suite("sqlite", "all");
suite("mariadb", "core");
