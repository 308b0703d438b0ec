import type { RpcClient } from "@nova/messaging";
import {
  type Instance,
  InstanceCodec,
  type Migration,
  MigrationCodec,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  SelectionCodec,
} from "@nova/objects";
import { type NovaContext, toWireContext } from "./request-context.js";
import { makeRpcClient, type RpcApiOptions } from "./rpc-client-options.js";

/** nova-compute's topic (`compute.<host>` reaches one host) and its RPC API version (6.0 in Zed's 6.x). */
export const COMPUTE_TOPIC = "compute";
/** The compute RPC API version this client sends. */
export const COMPUTE_API_VERSION = "6.0";

/** What a compute host answers once a guest is built (our build is a call, see buildAndRunInstance). */
export interface BuiltGuest {
  /** The instance built. */
  instance_uuid: string;
  /** The compute host it runs on. */
  host: string;
  /** The hypervisor node. */
  node: string;
  /** Nova's power state after the build. */
  power_state: number;
  /** Nova's vm state after the build. */
  vm_state: string;
  /** When the guest started (ISO 8601). */
  launched_at: string;
}

/** Arguments of build_and_run_instance, by Nova's names. */
export interface BuildAndRunArgs {
  /** The instance to build. */
  instance: Partial<Instance>;
  /** The image metadata. */
  image: Record<string, unknown>;
  /** The request spec it was scheduled with. */
  request_spec: Partial<RequestSpec>;
  /** Legacy filter properties (retry info). */
  filter_properties?: Record<string, unknown>;
  /** The admin password to inject, if any. */
  admin_password?: string | null;
  /** Files to inject. */
  injected_files?: unknown[];
  /** Networks asked for. */
  requested_networks?: unknown;
  /** Security group names. */
  security_groups?: unknown[];
  /** Block device mappings. */
  block_device_mapping?: unknown;
  /** The hypervisor node chosen. */
  node: string;
  /** Resource limits from the scheduler. */
  limits?: Record<string, unknown> | null;
  /** The chosen host and its alternates. */
  host_list?: Selection[];
  /** Accelerator request UUIDs. */
  accel_uuids?: string[];
}

/** Arguments of rebuild_instance for an evacuation (recreate=True, on the destination), by Nova's names. */
export interface EvacuateRebuildArgs {
  /** The instance, task_state rebuilding, its row still naming the dead source. */
  instance: Partial<Instance>;
  /** The evacuation migration (dest_compute and dest_node set by the conductor). */
  migration: Partial<Migration>;
  /** The image to spawn from (the instance's own). */
  image_ref: string;
  /** The node the scheduler picked. */
  scheduled_node: string;
  /** The admin password of the rebuilt guest. */
  new_pass?: string | null;
  /** Before 2.14: whether the disks are on shared storage. */
  on_shared_storage?: boolean | null;
}

/** Arguments of rebuild_instance (on the instance's own host), by Nova's names. */
export interface RebuildInstanceArgs {
  /** The instance, task_state rebuilding. */
  instance: Partial<Instance>;
  /** The admin password to set, if any. */
  new_pass?: string | null;
  /** Files to inject (`[path, base64]` pairs). */
  injected_files?: unknown[];
  /** The image to rebuild from. */
  image_ref: string;
  /** The image the instance ran before. */
  orig_image_ref: string;
  /** The system metadata before the rebuild. */
  orig_sys_metadata?: Record<string, string | null>;
  /** Keep the ephemeral disk (drivers that cannot refuse). */
  preserve_ephemeral?: boolean;
}

/** Arguments of unshelve_instance, by Nova's names. */
export interface UnshelveInstanceArgs {
  /** The instance, task_state unshelving (its row already on the chosen host). */
  instance: Partial<Instance>;
  /** The shelved image (Glance's fields), null when the guest is still on the host. */
  image?: Record<string, unknown> | null;
  /** Legacy filter properties (limits). */
  filter_properties?: Record<string, unknown>;
  /** The hypervisor node chosen. */
  node?: string | null;
  /** The request spec it was scheduled with. */
  request_spec?: Partial<RequestSpec> | null;
}

/**
 * The compute topic as every compute client (ComputeAPI and its resize and live-migration halves) sends on it:
 * one RPC client, a host's server at the compute API version, and the timeouts of calls that may take long.
 */
export class ComputeHostClient {
  private readonly client: RpcClient;
  private readonly monitorTimeout: number;
  private readonly longTimeout: number;

  /** Over `opts.transport`, with its `rpc_response_timeout` and `long_rpc_timeout`. */
  constructor(opts: RpcApiOptions) {
    this.client = makeRpcClient(opts, COMPUTE_TOPIC, COMPUTE_API_VERSION);
    this.monitorTimeout = opts.rpcResponseTimeout ?? 60;
    this.longTimeout = opts.longRpcTimeout ?? 1800;
  }

  /** `compute.<host>`. */
  on(host: string): RpcClient {
    return this.client.prepare({ server: host, version: COMPUTE_API_VERSION });
  }

  /** `compute.<host>` for a call that may take long: `long_rpc_timeout`, the call monitor keeping it alive. */
  long(host: string): RpcClient {
    return this.on(host).prepare({ timeout: this.longTimeout, callMonitorTimeout: this.monitorTimeout });
  }
}

/** The client of nova-compute (Nova's `ComputeAPI`): every method goes to the instance's host. */
export class ComputeAPI {
  private readonly hosts: ComputeHostClient;

  /** Calls `compute.<host>` over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.hosts = new ComputeHostClient(opts);
  }

  private on(host: string): RpcClient {
    return this.hosts.on(host);
  }

  /**
   * Builds the instance on `host` and answers with the guest's details. Nova casts this and lets the compute
   * write the instance through the conductor; here it is a call (as the control-plane issue asks), so the
   * conductor owns the outcome: it records ACTIVE or tries the next alternate. The call monitor keeps a long
   * spawn from being mistaken for a lost host.
   */
  async buildAndRunInstance(ctx: NovaContext, host: string, args: BuildAndRunArgs): Promise<BuiltGuest> {
    const result = await this.hosts.long(host).call(toWireContext(ctx), "build_and_run_instance", {
      ...args,
      instance: InstanceCodec.toPrimitive(args.instance),
      request_spec: RequestSpecCodec.toPrimitive(args.request_spec),
      filter_properties: args.filter_properties ?? {},
      admin_password: args.admin_password ?? null,
      injected_files: args.injected_files ?? [],
      requested_networks: args.requested_networks ?? null,
      security_groups: args.security_groups ?? [],
      block_device_mapping: args.block_device_mapping ?? null,
      limits: args.limits ?? null,
      host_list: (args.host_list ?? []).map((s) => SelectionCodec.toPrimitive(s)),
      accel_uuids: args.accel_uuids ?? [],
    });
    return result as BuiltGuest;
  }

  /** Deletes the guest and the instance (cast, as Nova). */
  terminateInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "terminate_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      bdms: null,
    });
  }

  /** Reboots the guest, `SOFT` or `HARD` (cast). */
  rebootInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    rebootType: "SOFT" | "HARD",
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "reboot_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      block_device_info: null,
      reboot_type: rebootType,
    });
  }

  /** Powers the guest off, gracefully first when `cleanShutdown` (cast). */
  stopInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    cleanShutdown = true,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "stop_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      clean_shutdown: cleanShutdown,
    });
  }

  /** Powers the guest on (cast). */
  startInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "start_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Pauses the guest (cast). */
  pauseInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "pause_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Unpauses the guest (cast). */
  unpauseInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "unpause_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Saves the guest's memory to disk and stops it (cast, as Nova's suspend_instance). */
  suspendInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "suspend_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Restores a suspended guest (cast, as Nova's resume_instance). */
  resumeInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "resume_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** The guest's console log, the last `tailLength` lines (call). */
  async getConsoleOutput(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    tailLength?: number,
  ): Promise<string> {
    const output = await this.on(host).call(toWireContext(ctx), "get_console_output", {
      instance: InstanceCodec.toPrimitive(instance),
      tail_length: tailLength ?? null,
    });
    if (typeof output !== "string") throw new TypeError("get_console_output returned no string");
    return output;
  }

  // --- rebuild, shelve, rescue, snapshots, soft delete (casts, as Nova 6.x sends them) --------------------

  /** Rebuilds the guest on its host from `image_ref` (cast; Nova's rebuild_instance, not an evacuation). */
  rebuildInstance(ctx: NovaContext, host: string, args: RebuildInstanceArgs): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "rebuild_instance", {
      instance: InstanceCodec.toPrimitive(args.instance),
      new_pass: args.new_pass ?? null,
      injected_files: args.injected_files ?? [],
      image_ref: args.image_ref,
      orig_image_ref: args.orig_image_ref,
      orig_sys_metadata: args.orig_sys_metadata ?? {},
      bdms: null,
      recreate: false,
      on_shared_storage: null,
      preserve_ephemeral: args.preserve_ephemeral ?? false,
      migration: null,
      scheduled_node: null,
      limits: null,
      request_spec: null,
      accel_uuids: [],
      reimage_boot_volume: false,
      target_state: null,
    });
  }

  /**
   * Rebuilds an evacuated instance on `host`, the destination the conductor claimed (cast; Nova's
   * rebuild_instance with recreate=True, the migration and the scheduled node).
   */
  evacuateInstance(ctx: NovaContext, host: string, args: EvacuateRebuildArgs): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "rebuild_instance", {
      instance: InstanceCodec.toPrimitive(args.instance),
      new_pass: args.new_pass ?? null,
      injected_files: [],
      image_ref: args.image_ref,
      orig_image_ref: args.image_ref,
      orig_sys_metadata: {},
      bdms: null,
      recreate: true,
      on_shared_storage: args.on_shared_storage ?? null,
      preserve_ephemeral: false,
      migration: MigrationCodec.toPrimitive(args.migration),
      scheduled_node: args.scheduled_node,
      limits: null,
      request_spec: null,
      accel_uuids: [],
      reimage_boot_volume: false,
      target_state: null,
    });
  }

  /** Snapshots the guest into `imageId`, then keeps it SHELVED (or offloads it at once) (cast). */
  shelveInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    imageId: string | null,
    cleanShutdown = true,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "shelve_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      image_id: imageId,
      clean_shutdown: cleanShutdown,
      accel_uuids: [],
    });
  }

  /** Removes a shelved guest from its host, freeing the host's resources (cast). */
  shelveOffloadInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    cleanShutdown = true,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "shelve_offload_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      clean_shutdown: cleanShutdown,
      accel_uuids: [],
    });
  }

  /**
   * Spawns an offloaded instance on `host` from its shelved image. Nova casts this; here the conductor calls
   * it (as it calls build_and_run_instance) so it owns the claim when the compute fails.
   */
  async unshelveInstance(ctx: NovaContext, host: string, args: UnshelveInstanceArgs): Promise<void> {
    await this.hosts.long(host).call(toWireContext(ctx), "unshelve_instance", {
      instance: InstanceCodec.toPrimitive(args.instance),
      image: args.image ?? null,
      filter_properties: args.filter_properties ?? {},
      node: args.node ?? null,
      request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
      accel_uuids: [],
    });
  }

  /** Boots the guest from a rescue image (cast). */
  rescueInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    rescuePassword: string | null,
    rescueImageRef: string | null,
    cleanShutdown = true,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "rescue_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      rescue_password: rescuePassword,
      rescue_image_ref: rescueImageRef,
      clean_shutdown: cleanShutdown,
    });
  }

  /** Ends a rescue (cast). */
  unrescueInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "unrescue_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Snapshots the guest into the queued image `imageId` (cast; createImage). */
  snapshotInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    imageId: string,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "snapshot_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      image_id: imageId,
    });
  }

  /** Snapshots the guest as a backup and keeps the newest `rotation` backups of `backupType` (cast). */
  backupInstance(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    imageId: string,
    backupType: string,
    rotation: number,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "backup_instance", {
      instance: InstanceCodec.toPrimitive(instance),
      image_id: imageId,
      backup_type: backupType,
      rotation,
    });
  }

  /** Brings a soft-deleted instance back (cast). */
  restoreInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "restore_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }

  /** Soft-deletes the instance: the guest is powered off and kept until reclaimed (cast). */
  softDeleteInstance(ctx: NovaContext, host: string, instance: Partial<Instance>): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "soft_delete_instance", {
      instance: InstanceCodec.toPrimitive(instance),
    });
  }
}
