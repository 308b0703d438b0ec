import type { RpcClient } from "@nova/messaging";
import {
  type BuildRequest,
  BuildRequestCodec,
  type Flavor,
  FlavorCodec,
  type Instance,
  InstanceCodec,
  type NovaObjectPrimitive,
  type RequestSpec,
  RequestSpecCodec,
} from "@nova/objects";
import { type NovaContext, toWireContext } from "./request-context.js";
import { makeRpcClient, type RpcApiOptions } from "./rpc-client-options.js";

/** nova-conductor's topic; its base API (object_action, ...) and its compute_task API versions (Zed). */
export const CONDUCTOR_TOPIC = "conductor";
/** The version of the conductor's base API (object_action and friends). */
export const CONDUCTOR_API_VERSION = "3.0";
/** The namespace of the conductor's compute task API. */
export const COMPUTE_TASK_NAMESPACE = "compute_task";
/** The compute task RPC API version. */
export const COMPUTE_TASK_API_VERSION = "1.17";

/** The reply of object_action: the fields the conductor changed (serialized) and the method's return value. */
export type ObjectActionResult = [updates: Record<string, unknown>, result: unknown];

/**
 * The conductor's base API (Nova's `ConductorAPI`): remotable object methods for services without database
 * access. nova-compute's heartbeat is `object_action(Service.save)`.
 */
export class ConductorAPI {
  private readonly client: RpcClient;

  /** Calls the `conductor` topic over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.client = makeRpcClient(opts, CONDUCTOR_TOPIC, CONDUCTOR_API_VERSION);
  }

  /** Runs `objmethod` on an object the caller holds (as a primitive) and returns what changed. */
  async objectAction(
    ctx: NovaContext,
    objinst: NovaObjectPrimitive | Record<string, unknown>,
    objmethod: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
  ): Promise<ObjectActionResult> {
    const result = await this.client.call(toWireContext(ctx), "object_action", {
      objinst,
      objmethod,
      args,
      kwargs,
    });
    if (
      !Array.isArray(result) ||
      result.length !== 2 ||
      typeof result[0] !== "object" ||
      result[0] === null
    ) {
      throw new TypeError("object_action did not return [updates, result]");
    }
    return [result[0] as Record<string, unknown>, result[1]];
  }

  /** Runs a class method (`Service.get_by_compute_host`, ...) and returns its (primitive) result. */
  objectClassActionVersions(
    ctx: NovaContext,
    objname: string,
    objmethod: string,
    objectVersions: Record<string, string>,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
  ): Promise<unknown> {
    return this.client.call(toWireContext(ctx), "object_class_action_versions", {
      objname,
      objmethod,
      object_versions: objectVersions,
      args,
      kwargs,
    });
  }
}

/** Arguments of schedule_and_build_instances, by Nova's names. */
export interface ScheduleAndBuildArgs {
  /** The build requests, one per instance. */
  build_requests: Partial<BuildRequest>[];
  /** The request specs, one per instance. */
  request_specs: Partial<RequestSpec>[];
  /** The image metadata. */
  image: Record<string, unknown>;
  /** The admin password to inject, if any. */
  admin_password?: string | null;
  /** Files to inject. */
  injected_files?: unknown[];
  /** Networks asked for. */
  requested_networks?: unknown;
  /** Block device mappings. */
  block_device_mapping?: unknown[];
  /** Server tags. */
  tags?: unknown[];
}

/** The conductor's task API (Nova's `ComputeTaskAPI`, namespace `compute_task`): what nova-api asks of it. */
export class ComputeTaskAPI {
  private readonly client: RpcClient;

  /** Casts to the conductor's compute task namespace over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.client = makeRpcClient(opts, CONDUCTOR_TOPIC, COMPUTE_TASK_API_VERSION, COMPUTE_TASK_NAMESPACE);
  }

  /** Casts a build to the conductor: the API answers 202 without waiting for scheduling. */
  scheduleAndBuildInstances(ctx: NovaContext, args: ScheduleAndBuildArgs): Promise<void> {
    return this.client.cast(toWireContext(ctx), "schedule_and_build_instances", {
      build_requests: args.build_requests.map((b) => BuildRequestCodec.toPrimitive(b)),
      request_specs: args.request_specs.map((r) => RequestSpecCodec.toPrimitive(r)),
      image: args.image,
      admin_password: args.admin_password ?? null,
      injected_files: args.injected_files ?? [],
      requested_networks: args.requested_networks ?? null,
      block_device_mapping: args.block_device_mapping ?? [],
      tags: args.tags ?? [],
    });
  }

  /**
   * Casts a resize or cold migration (Nova's migrate_server with live=False, rebuild=False, as the compute API's
   * resize_instance sends it with do_cast): the conductor schedules with `flavor` and moves the instance.
   */
  migrateServer(ctx: NovaContext, args: MigrateServerArgs): Promise<void> {
    return this.client.cast(toWireContext(ctx), "migrate_server", {
      instance: InstanceCodec.toPrimitive(args.instance),
      scheduler_hint: args.scheduler_hint ?? {},
      live: false,
      rebuild: false,
      flavor: FlavorCodec.toPrimitive(args.flavor),
      block_migration: null,
      disk_over_commit: null,
      reservations: null,
      clean_shutdown: args.clean_shutdown ?? true,
      request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
      host_list: null,
    });
  }

  /**
   * Casts a live migration (Nova's live_migrate_instance, the async form of migrate_server with live=True that
   * nova-api sends from 2.34): the conductor checks, schedules and claims the destination, then casts
   * live_migration to the source.
   */
  liveMigrateInstance(ctx: NovaContext, args: LiveMigrateInstanceArgs): Promise<void> {
    return this.client.cast(toWireContext(ctx), "live_migrate_instance", {
      instance: InstanceCodec.toPrimitive(args.instance),
      scheduler_hint: { host: args.host ?? null },
      block_migration: args.block_migration ?? null,
      disk_over_commit: args.disk_over_commit ?? null,
      request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
    });
  }

  /**
   * Casts an evacuation (Nova's rebuild_instance with recreate=True and no host, as the compute API's evacuate
   * sends it): the conductor schedules a destination and asks it to rebuild the instance there.
   */
  rebuildInstance(ctx: NovaContext, args: EvacuateInstanceArgs): Promise<void> {
    return this.client.cast(toWireContext(ctx), "rebuild_instance", {
      instance: InstanceCodec.toPrimitive(args.instance),
      new_pass: args.new_pass ?? null,
      injected_files: null,
      image_ref: null,
      orig_image_ref: null,
      orig_sys_metadata: null,
      bdms: null,
      recreate: true,
      on_shared_storage: args.on_shared_storage ?? null,
      preserve_ephemeral: false,
      host: null,
      request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
    });
  }

  /**
   * Unshelves an instance (cast): a SHELVED one is started on its host, a SHELVED_OFFLOADED one is scheduled
   * and spawned from its shelved image.
   */
  unshelveInstance(
    ctx: NovaContext,
    instance: Partial<Instance>,
    requestSpec: Partial<RequestSpec> | null,
  ): Promise<void> {
    return this.client.cast(toWireContext(ctx), "unshelve_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      request_spec: requestSpec ? RequestSpecCodec.toPrimitive(requestSpec) : null,
    });
  }
}

/** rebuild_instance's arguments for an evacuation, by Nova's names. */
export interface EvacuateInstanceArgs {
  /** The instance to rebuild elsewhere (task_state rebuilding). */
  instance: Partial<Instance>;
  /** The admin password of the rebuilt guest. */
  new_pass?: string | null;
  /** Before 2.14: whether the disks are on shared storage. */
  on_shared_storage?: boolean | null;
  /** The spec to schedule with (ignore_hosts, requested_destination already set). */
  request_spec?: Partial<RequestSpec> | null;
}

/** live_migrate_instance's arguments, by Nova's names. */
export interface LiveMigrateInstanceArgs {
  /** The instance to move (task_state migrating). */
  instance: Partial<Instance>;
  /** A destination to go to without the scheduler's filters (Nova's forced host); null lets it pick. */
  host?: string | null;
  /** True, false, or null for `auto`. */
  block_migration?: boolean | null;
  /** Before 2.25 only. */
  disk_over_commit?: boolean | null;
  /** The spec to schedule with (ignore_hosts, requested_destination already set). */
  request_spec?: Partial<RequestSpec> | null;
}

/** migrate_server's arguments for a resize or cold migration, by Nova's names. */
export interface MigrateServerArgs {
  /** The instance to move. */
  instance: Partial<Instance>;
  /** The flavor to move it to (its own for a cold migration). */
  flavor: Partial<Flavor>;
  /** The request spec to schedule with (ignore_hosts, requested_destination already set). */
  request_spec?: Partial<RequestSpec> | null;
  /** Legacy scheduler hints. */
  scheduler_hint?: Record<string, unknown>;
  /** Power the guest off gracefully first (default true). */
  clean_shutdown?: boolean;
}
