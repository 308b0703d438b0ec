import { randomUUID } from "node:crypto";
import { RpcServer, type Transport } from "@nova/messaging";
import {
  type ComputeNode,
  ComputeNodeCodec,
  ComputeNodeListCodec,
  type Instance,
  InstanceCodec,
  type InstanceFault,
  InstanceFaultCodec,
  type InstanceGroup,
  InstanceGroupCodec,
  InstanceListCodec,
  type Migration,
  MigrationCodec,
  MigrationListCodec,
  type Service,
  ServiceCodec,
} from "@nova/objects";
import {
  CONDUCTOR_API_VERSION,
  CONDUCTOR_TOPIC,
  InstanceGroupNotFound,
  InstanceNotFound,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
} from "@nova/rpcapi";

/** One request the fake conductor served. */
export interface ConductorCall {
  /** The RPC method called. */
  method: "object_action" | "object_class_action_versions";
  /** `Class.method`, e.g. `Instance.save`. */
  name: string;
  /** object_action: the fields the caller said it changed. */
  changes: string[];
  /** object_action: the object's data as sent. */
  data: Record<string, unknown>;
  /** The method's positional arguments. */
  args: unknown[];
  /** The method's keyword arguments. */
  kwargs: Record<string, unknown>;
  /** The request id of the caller's context. */
  requestId: unknown;
}

/** An instance action event as recorded. */
export interface RecordedEvent {
  /** The instance the action is on. */
  instanceUuid: string;
  /** The event's name (`compute_reboot_instance`). */
  event: string;
  /** Whether the event started or finished. */
  phase: "start" | "finish";
  /** The failure's class name when the event finished with one, else null. */
  failure: string | null;
  /** The host the event was recorded on. */
  host: unknown;
  /** The request id of the caller's context. */
  requestId: unknown;
}

/**
 * A scripted nova-conductor for compute tests: serves exactly the object methods of ConductorObjectsAPI on the
 * `conductor` topic, keeps services, compute nodes, instances, faults and events in memory, applies
 * Instance.save's expected_task_state / expected_vm_state as Nova's database layer does, and records every call.
 * `now` gives the timestamps it stamps (inject a fake clock's).
 */
export class FakeConductor {
  /** Every request served, in order. */
  readonly calls: ConductorCall[] = [];
  /** Instance action events, in order. */
  readonly events: RecordedEvent[] = [];
  /** Instance faults created, in order. */
  readonly faults: Partial<InstanceFault>[] = [];
  /** Service rows by `host/binary`. */
  readonly services = new Map<string, Partial<Service>>();
  /** Compute node rows by uuid. */
  readonly computeNodes = new Map<string, Partial<ComputeNode>>();
  /** Instance rows by uuid. */
  readonly instances = new Map<string, Partial<Instance>>();
  /** Migration rows by id (seedMigration; Migration.save changes them). */
  readonly migrations = new Map<number, Partial<Migration>>();
  /** Server groups by uuid (InstanceGroup.get_by_hint, get_hosts); tests add them. */
  readonly groups = new Map<string, Partial<InstanceGroup>>();
  /** Destroyed instance rows by uuid. */
  readonly destroyed = new Map<string, Partial<Instance>>();
  /** Make the next calls of `Class.method` fail with this error (used up one per call). */
  readonly failNext = new Map<string, Error[]>();
  private readonly server: RpcServer;
  private nextId = 1;

  /** Serves on `transport`; `now` stamps the rows (a fake clock's, in tests). */
  constructor(
    transport: Transport,
    private readonly now: () => number = Date.now,
  ) {
    this.server = new RpcServer(transport, { topic: CONDUCTOR_TOPIC, server: "fake-conductor" }, [
      {
        version: CONDUCTOR_API_VERSION,
        methods: {
          object_action: (ctx, args) => this.objectAction(ctx.request_id, args),
          object_class_action_versions: (ctx, args) => this.classAction(ctx.request_id, args),
        },
      },
    ]);
  }

  /** Starts serving the `conductor` topic. */
  start(): Promise<void> {
    return this.server.start();
  }

  /** Stops serving. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Puts a migration row in place (as the API or conductor would have); the ones with status go to get_by_filters. */
  seedMigration(migration: Partial<Migration>): Partial<Migration> {
    const row: Partial<Migration> = { id: this.nextId++, ...migration };
    this.migrations.set(row.id!, row);
    return { ...row };
  }

  /** Puts an instance row in place (as the conductor's build would have). */
  seedInstance(instance: Partial<Instance>): Partial<Instance> {
    const row: Partial<Instance> = { id: this.nextId++, deleted: false, ...instance };
    this.instances.set(row.uuid!, row);
    return { ...row };
  }

  /** The instance row now (or the destroyed one). */
  instance(uuid: string): Partial<Instance> | undefined {
    const row = this.instances.get(uuid) ?? this.destroyed.get(uuid);
    return row ? { ...row } : undefined;
  }

  /** Calls of one `Class.method`. */
  callsOf(name: string): ConductorCall[] {
    return this.calls.filter((c) => c.name === name);
  }

  private stamp(): Date {
    return new Date(Math.floor(this.now() / 1000) * 1000);
  }

  private maybeFail(name: string): void {
    const errs = this.failNext.get(name);
    const err = errs?.shift();
    if (err) throw err;
  }

  private objectAction(requestId: unknown, args: Record<string, unknown>): unknown {
    const objinst = args.objinst as Record<string, unknown>;
    const objname = String(objinst["nova_object.name"]);
    const objmethod = String(args.objmethod);
    const name = `${objname}.${objmethod}`;
    const changes = (objinst["nova_object.changes"] as string[] | undefined) ?? [];
    const kwargs = (args.kwargs as Record<string, unknown>) ?? {};
    this.calls.push({
      method: "object_action",
      name,
      changes,
      data: objinst["nova_object.data"] as Record<string, unknown>,
      args: (args.args as unknown[]) ?? [],
      kwargs,
      requestId,
    });
    this.maybeFail(name);
    const now = this.stamp();
    switch (name) {
      case "Service.create": {
        const s = ServiceCodec.fromPrimitive(objinst);
        const row = { ...s, id: this.nextId++, uuid: randomUUID(), created_at: now, deleted: false };
        this.services.set(`${row.host}/${row.binary}`, row);
        return [ServiceCodec.encodeFields({ id: row.id, uuid: row.uuid, created_at: now }), null];
      }
      case "Service.save": {
        const s = ServiceCodec.fromPrimitive(objinst);
        const key = `${s.host}/${s.binary}`;
        const row = this.services.get(key);
        if (!row) throw new Error(`no service ${key}`);
        for (const c of changes) (row as Record<string, unknown>)[c] = (s as Record<string, unknown>)[c];
        Object.assign(
          row,
          { updated_at: now },
          changes.includes("report_count") ? { last_seen_up: now } : {},
        );
        return [
          { ...ServiceCodec.encodeFields({ last_seen_up: now, updated_at: now }), obj_what_changed: [] },
          null,
        ];
      }
      case "ComputeNode.create": {
        const n = ComputeNodeCodec.fromPrimitive(objinst);
        const row = { ...n, id: this.nextId++, created_at: now, deleted: false };
        this.computeNodes.set(row.uuid!, row);
        return [ComputeNodeCodec.encodeFields({ id: row.id, created_at: now }), null];
      }
      case "ComputeNode.save": {
        const n = ComputeNodeCodec.fromPrimitive(objinst);
        const row = this.computeNodes.get(n.uuid!);
        if (!row) throw new Error(`no compute node ${n.uuid}`);
        for (const c of changes) (row as Record<string, unknown>)[c] = (n as Record<string, unknown>)[c];
        Object.assign(row, { updated_at: now });
        return [ComputeNodeCodec.encodeFields({ updated_at: now }), null];
      }
      case "Instance.save":
        return this.instanceSave(objinst, changes, kwargs, now);
      case "Instance.destroy": {
        const i = InstanceCodec.fromPrimitive(objinst);
        const row = this.instances.get(i.uuid!);
        if (!row) throw new InstanceNotFound({ instance_id: i.uuid });
        this.instances.delete(i.uuid!);
        const gone = { ...row, deleted: true, deleted_at: now };
        this.destroyed.set(i.uuid!, gone);
        return [InstanceCodec.encodeFields({ deleted: true, deleted_at: now }), null];
      }
      case "Migration.save": {
        const m = MigrationCodec.fromPrimitive(objinst, "objinst");
        const row = this.migrations.get(m.id!);
        if (!row) throw new Error(`no migration ${m.id}`);
        for (const c of changes) (row as Record<string, unknown>)[c] = (m as Record<string, unknown>)[c];
        return [MigrationCodec.encodeFields({ updated_at: now }), null];
      }
      case "InstanceFault.create": {
        const f = InstanceFaultCodec.fromPrimitive(objinst);
        const row = { ...f, id: this.nextId++, created_at: now };
        this.faults.push(row);
        return [InstanceFaultCodec.encodeFields({ id: row.id, created_at: now }), null];
      }
      case "InstanceGroup.get_hosts": {
        const g = InstanceGroupCodec.fromPrimitive(objinst);
        const exclude = new Set(((args.args as unknown[])?.[0] as string[] | undefined) ?? []);
        const hosts = (g.members ?? [])
          .filter((m) => !exclude.has(m))
          .map((m) => this.instances.get(m)?.host)
          .filter((h): h is string => typeof h === "string");
        return [{}, [...new Set(hosts)]];
      }
      default:
        throw new Error(`the fake conductor does not serve object_action ${name}`);
    }
  }

  private instanceSave(
    objinst: Record<string, unknown>,
    changes: string[],
    kwargs: Record<string, unknown>,
    now: Date,
  ): unknown {
    const i = InstanceCodec.fromPrimitive(objinst);
    const row = this.instances.get(i.uuid!);
    if (!row) throw new InstanceNotFound({ instance_id: i.uuid });
    const asList = (v: unknown): unknown[] | undefined =>
      v === undefined ? undefined : Array.isArray(v) ? v : [v];
    const expectedTask = asList(kwargs.expected_task_state);
    const actualTask = row.task_state ?? null;
    if (expectedTask && !expectedTask.includes(actualTask)) {
      const kw = { instance_uuid: i.uuid, expected: JSON.stringify(expectedTask), actual: actualTask };
      throw actualTask === "deleting"
        ? new UnexpectedDeletingTaskStateError(kw)
        : new UnexpectedTaskStateError(kw);
    }
    const expectedVm = asList(kwargs.expected_vm_state);
    if (expectedVm && !expectedVm.includes(row.vm_state ?? null)) {
      throw new UnexpectedTaskStateError({
        instance_uuid: i.uuid,
        expected: JSON.stringify(expectedVm),
        actual: row.vm_state,
      });
    }
    for (const c of changes) (row as Record<string, unknown>)[c] = (i as Record<string, unknown>)[c];
    Object.assign(row, { updated_at: now });
    return [{ ...InstanceCodec.encodeFields({ updated_at: now }), obj_what_changed: [] }, null];
  }

  private classAction(requestId: unknown, args: Record<string, unknown>): unknown {
    const name = `${String(args.objname)}.${String(args.objmethod)}`;
    const a = (args.args as unknown[]) ?? [];
    const kwargs = (args.kwargs as Record<string, unknown>) ?? {};
    this.calls.push({
      method: "object_class_action_versions",
      name,
      changes: [],
      data: {},
      args: a,
      kwargs,
      requestId,
    });
    this.maybeFail(name);
    switch (name) {
      case "Service.get_by_host_and_binary": {
        const row = this.services.get(`${a[0]}/${a[1]}`);
        return row ? ServiceCodec.toPrimitive(row) : null;
      }
      case "ComputeNodeList.get_all_by_host":
        return ComputeNodeListCodec.toPrimitive(
          [...this.computeNodes.values()].filter((n) => n.host === a[0]),
        );
      case "InstanceList.get_by_host":
        return InstanceListCodec.toPrimitive([...this.instances.values()].filter((i) => i.host === a[0]));
      case "Instance.get_by_uuid": {
        const row = this.instances.get(String(a[0]));
        if (!row) throw new InstanceNotFound({ instance_id: a[0] });
        return InstanceCodec.toPrimitive(row);
      }
      case "MigrationList.get_by_filters": {
        const f = (a[0] ?? {}) as { source_compute?: string; migration_type?: string; status?: string[] };
        return MigrationListCodec.toPrimitive(
          [...this.migrations.values()].filter(
            (m) =>
              (!f.source_compute || m.source_compute === f.source_compute) &&
              (!f.migration_type || m.migration_type === f.migration_type) &&
              (!f.status || f.status.includes(m.status ?? "")),
          ),
        );
      }
      case "InstanceGroup.get_by_hint": {
        const g = this.groups.get(String(a[0]));
        if (!g) throw new InstanceGroupNotFound({ group_uuid: a[0] });
        return InstanceGroupCodec.toPrimitive(g);
      }
      case "InstanceActionEvent.event_start":
        this.events.push({
          instanceUuid: String(a[0]),
          event: String(a[1]),
          phase: "start",
          failure: null,
          host: kwargs.host,
          requestId,
        });
        return null;
      case "InstanceActionEvent.event_finish_with_failure":
        this.events.push({
          instanceUuid: String(a[0]),
          event: String(a[1]),
          phase: "finish",
          failure: typeof kwargs.exc_val === "string" ? kwargs.exc_val : null,
          host: undefined,
          requestId,
        });
        return null;
      default:
        throw new Error(`the fake conductor does not serve ${name}`);
    }
  }
}
