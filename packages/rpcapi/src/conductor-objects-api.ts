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
import type { ConductorAPI } from "./conductor-api.js";
import type { NovaContext } from "./request-context.js";

/**
 * The object versions this code speaks, sent with every class action (Nova's object version manifest), so a
 * conductor can backport results to what the caller understands.
 */
export const OBJECT_VERSIONS: Readonly<Record<string, string>> = {
  Service: ServiceCodec.version,
  ComputeNode: ComputeNodeCodec.version,
  ComputeNodeList: ComputeNodeListCodec.version,
  Instance: InstanceCodec.version,
  InstanceList: InstanceListCodec.version,
  InstanceFault: InstanceFaultCodec.version,
  InstanceActionEvent: "1.4",
  InstanceGroup: InstanceGroupCodec.version,
  Migration: MigrationCodec.version,
  MigrationList: MigrationListCodec.version,
};

/**
 * The remotable object methods nova-compute uses, as Nova's objects call them through the conductor
 * (`object_action` / `object_class_action_versions`). This is the whole compute-to-conductor contract of
 * nova-ts; a conductor serves exactly these (see CONDUCTOR_OBJECT_METHODS).
 */
export class ConductorObjectsAPI {
  /** Sends object actions through `conductor`. */
  constructor(private readonly conductor: ConductorAPI) {}

  /** `Service.get_by_host_and_binary(host, binary)`: the service row, or null when there is none. */
  async serviceGetByHostAndBinary(
    ctx: NovaContext,
    host: string,
    binary: string,
  ): Promise<Partial<Service> | null> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "Service",
      "get_by_host_and_binary",
      OBJECT_VERSIONS,
      [host, binary],
    );
    return r === null ? null : ServiceCodec.fromPrimitive(r, "Service");
  }

  /** `Service.create()`: inserts the row and returns it as the conductor completed it (id, uuid, times). */
  async serviceCreate(ctx: NovaContext, service: Partial<Service>): Promise<Partial<Service>> {
    const changes = Object.keys(service);
    const [updates] = await this.conductor.objectAction(
      ctx,
      ServiceCodec.toPrimitive(service, { changes }),
      "create",
    );
    return { ...service, ...ServiceCodec.decodeFields(updates) };
  }

  /** `ComputeNodeList.get_all_by_host(host)`. */
  async computeNodesGetAllByHost(ctx: NovaContext, host: string): Promise<Partial<ComputeNode>[]> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "ComputeNodeList",
      "get_all_by_host",
      OBJECT_VERSIONS,
      [host],
    );
    return ComputeNodeListCodec.fromPrimitive(r, "ComputeNodeList") as Partial<ComputeNode>[];
  }

  /** `ComputeNode.create()`. */
  async computeNodeCreate(ctx: NovaContext, node: Partial<ComputeNode>): Promise<Partial<ComputeNode>> {
    const [updates] = await this.conductor.objectAction(
      ctx,
      ComputeNodeCodec.toPrimitive(node, { changes: Object.keys(node) }),
      "create",
    );
    return { ...node, ...ComputeNodeCodec.decodeFields(updates) };
  }

  /** `ComputeNode.save()` of the fields named in `changes` (capacity as the resource tracker sees it). */
  async computeNodeSave(
    ctx: NovaContext,
    node: Partial<ComputeNode>,
    changes: (keyof ComputeNode)[],
  ): Promise<Partial<ComputeNode>> {
    const [updates] = await this.conductor.objectAction(
      ctx,
      ComputeNodeCodec.toPrimitive(node, { changes: changes as string[] }),
      "save",
    );
    return { ...node, ...ComputeNodeCodec.decodeFields(updates) };
  }

  /**
   * `Instance.save(expected_task_state=..., expected_vm_state=...)` of the fields in `changes`; the conductor
   * refuses with UnexpectedTaskStateError (or UnexpectedDeletingTaskStateError) when the row moved on.
   */
  async instanceSave(
    ctx: NovaContext,
    instance: Partial<Instance>,
    changes: (keyof Instance)[],
    expect: { expectedTaskState?: (string | null)[]; expectedVmState?: string[] } = {},
  ): Promise<Partial<Instance>> {
    const kwargs: Record<string, unknown> = {};
    if (expect.expectedTaskState) kwargs.expected_task_state = expect.expectedTaskState;
    if (expect.expectedVmState) kwargs.expected_vm_state = expect.expectedVmState;
    const [updates] = await this.conductor.objectAction(
      ctx,
      InstanceCodec.toPrimitive(instance, { changes: changes as string[] }),
      "save",
      [],
      kwargs,
    );
    return { ...instance, ...InstanceCodec.decodeFields(updates) };
  }

  /**
   * `Instance.get_by_uuid(uuid, expected_attrs=[])`, read with the context's read_deleted (the compute's
   * lifecycle sync re-reads the row before deciding anything). The conductor raises InstanceNotFound.
   */
  async instanceGetByUuid(ctx: NovaContext, uuid: string): Promise<Partial<Instance>> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "Instance",
      "get_by_uuid",
      OBJECT_VERSIONS,
      [uuid],
      {
        expected_attrs: [],
      },
    );
    return InstanceCodec.fromPrimitive(r, "Instance");
  }

  /** `InstanceGroup.get_by_hint(hint)`: a server group by uuid or name; the conductor raises InstanceGroupNotFound. */
  async instanceGroupGetByHint(ctx: NovaContext, hint: string): Promise<Partial<InstanceGroup>> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "InstanceGroup",
      "get_by_hint",
      OBJECT_VERSIONS,
      [hint],
      {},
    );
    return InstanceGroupCodec.fromPrimitive(r, "InstanceGroup");
  }

  /** `group.get_hosts(exclude)`: the hosts of the group's live members, leaving out the `exclude` instances. */
  async instanceGroupGetHosts(
    ctx: NovaContext,
    group: Partial<InstanceGroup>,
    exclude: readonly string[],
  ): Promise<string[]> {
    const [, hosts] = await this.conductor.objectAction(
      ctx,
      InstanceGroupCodec.toPrimitive(group),
      "get_hosts",
      [[...exclude]],
    );
    return Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === "string") : [];
  }

  /** `InstanceList.get_by_host(host)`: the instances the database places on a host (its periodic syncs read it). */
  async instancesGetByHost(ctx: NovaContext, host: string): Promise<Partial<Instance>[]> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "InstanceList",
      "get_by_host",
      OBJECT_VERSIONS,
      [host],
      {
        expected_attrs: [],
        use_slave: true,
      },
    );
    return InstanceListCodec.fromPrimitive(r, "InstanceList") as Partial<Instance>[];
  }

  /** `InstanceFault.create()`: records why an action on the instance failed (Nova's add_instance_fault_from_exc). */
  async instanceFaultCreate(
    ctx: NovaContext,
    fault: Partial<InstanceFault>,
  ): Promise<Partial<InstanceFault>> {
    const [updates] = await this.conductor.objectAction(
      ctx,
      InstanceFaultCodec.toPrimitive(fault, { changes: Object.keys(fault) }),
      "create",
    );
    return { ...fault, ...InstanceFaultCodec.decodeFields(updates) };
  }

  /** `Instance.destroy()`: soft-deletes the row and releases what it held on its compute node. */
  async instanceDestroy(ctx: NovaContext, instance: Partial<Instance>): Promise<Partial<Instance>> {
    const [updates] = await this.conductor.objectAction(ctx, InstanceCodec.toPrimitive(instance), "destroy");
    return { ...instance, ...InstanceCodec.decodeFields(updates) };
  }

  /** `InstanceActionEvent.event_start(instance_uuid, event_name, want_result=False, host=...)`. */
  async eventStart(ctx: NovaContext, instanceUuid: string, eventName: string, host: string): Promise<void> {
    await this.conductor.objectClassActionVersions(
      ctx,
      "InstanceActionEvent",
      "event_start",
      OBJECT_VERSIONS,
      [instanceUuid, eventName],
      { want_result: false, host },
    );
  }

  /** `InstanceActionEvent.event_finish_with_failure(instance_uuid, event_name, exc_val, exc_tb)`. */
  async eventFinish(
    ctx: NovaContext,
    instanceUuid: string,
    eventName: string,
    failure: { message: string; traceback?: string } | null = null,
  ): Promise<void> {
    await this.conductor.objectClassActionVersions(
      ctx,
      "InstanceActionEvent",
      "event_finish_with_failure",
      OBJECT_VERSIONS,
      [instanceUuid, eventName],
      { exc_val: failure?.message ?? null, exc_tb: failure?.traceback ?? null, want_result: false },
    );
  }

  /**
   * `Migration.save()` of the fields in `changes`. A status that ends the move (confirmed, reverted, error)
   * makes the conductor give back the claim the migration held, once: a second ender gets MigrationError.
   */
  async migrationSave(
    ctx: NovaContext,
    migration: Partial<Migration>,
    changes: (keyof Migration)[],
  ): Promise<Partial<Migration>> {
    const [updates] = await this.conductor.objectAction(
      ctx,
      MigrationCodec.toPrimitive(migration, { changes: changes as string[] }),
      "save",
    );
    return { ...migration, ...MigrationCodec.decodeFields(updates) };
  }

  /**
   * `MigrationList.get_unconfirmed_by_dest_compute(confirm_window, dest_compute)`: resizes finished on
   * `destCompute` more than `confirmWindow` seconds ago and not yet confirmed (the auto-confirm sweep).
   */
  async migrationsGetUnconfirmedByDestCompute(
    ctx: NovaContext,
    confirmWindow: number,
    destCompute: string,
  ): Promise<Partial<Migration>[]> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "MigrationList",
      "get_unconfirmed_by_dest_compute",
      OBJECT_VERSIONS,
      [confirmWindow, destCompute],
    );
    return MigrationListCodec.fromPrimitive(r, "MigrationList") as Partial<Migration>[];
  }

  /**
   * `MigrationList.get_by_filters(filters)` with the filters compute's _destroy_evacuated_instances sends:
   * `source_compute`, `migration_type` and a `status` list.
   */
  async migrationsGetByFilters(
    ctx: NovaContext,
    filters: { source_compute: string; migration_type: string; status: string[] },
  ): Promise<Partial<Migration>[]> {
    const r = await this.conductor.objectClassActionVersions(
      ctx,
      "MigrationList",
      "get_by_filters",
      OBJECT_VERSIONS,
      [filters],
    );
    return MigrationListCodec.fromPrimitive(r, "MigrationList") as Partial<Migration>[];
  }
}

/** Every object method a nova-ts conductor serves for computes (`Class.method`), and which kind of call it is. */
export const CONDUCTOR_OBJECT_METHODS = {
  object_action: [
    "Service.save",
    "Service.create",
    "ComputeNode.create",
    "ComputeNode.save",
    "Instance.save",
    "Instance.destroy",
    "InstanceFault.create",
    "InstanceGroup.get_hosts",
    "Migration.save",
  ],
  object_class_action_versions: [
    "Service.get_by_host_and_binary",
    "Service.get_by_compute_host",
    "ComputeNodeList.get_all_by_host",
    "Instance.get_by_uuid",
    "InstanceList.get_by_host",
    "InstanceGroup.get_by_hint",
    "InstanceActionEvent.event_start",
    "InstanceActionEvent.event_finish_with_failure",
    "MigrationList.get_unconfirmed_by_dest_compute",
    "MigrationList.get_by_filters",
  ],
} as const;
