import type { RpcClient } from "@nova/messaging";
import {
  type Flavor,
  FlavorCodec,
  type Instance,
  InstanceCodec,
  type Migration,
  MigrationCodec,
  type RequestSpec,
  RequestSpecCodec,
  type Selection,
  SelectionCodec,
} from "@nova/objects";
import { ComputeHostClient } from "./compute-api.js";
import { type NovaContext, toWireContext } from "./request-context.js";
import type { RpcApiOptions } from "./rpc-client-options.js";

/** prep_resize's arguments, by Nova's (6.0) names. */
export interface PrepResizeArgs {
  /** The instance to move. */
  instance: Partial<Instance>;
  /** The flavor it is moved to (its own for a cold migration). */
  flavor: Partial<Flavor>;
  /** The migration record the conductor created. */
  migration: Partial<Migration>;
  /** The image dict (Glance's fields). */
  image?: Record<string, unknown>;
  /** The request spec it was scheduled with. */
  request_spec?: Partial<RequestSpec> | null;
  /** Legacy filter properties (retry info). */
  filter_properties?: Record<string, unknown>;
  /** The destination node the scheduler picked. */
  node: string;
  /** Whether the source powers the guest off gracefully. */
  clean_shutdown?: boolean;
  /** The remaining alternates. */
  host_list?: Selection[];
}

/**
 * The resize and cold-migration half of Nova's compute RPC API (6.0): the casts between the destination and the
 * source compute (`prep_resize`, `resize_instance`, `finish_resize`, `confirm_resize`, `revert_resize`,
 * `finish_revert_resize`), with Nova's method names and arguments so the wire stays compatible.
 */
export class ComputeResizeAPI {
  private readonly hosts: ComputeHostClient;

  /** Sends to `compute.<host>` over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.hosts = new ComputeHostClient(opts);
  }

  private on(host: string): RpcClient {
    return this.hosts.on(host);
  }

  /**
   * Asks the destination to take the instance (its side of the claim, the migration record, then the cast of
   * resize_instance to the source). Nova casts this; here it is a call, as build_and_run_instance is, so the
   * conductor owns the outcome and reschedules to an alternate when the destination refuses.
   */
  async prepResize(ctx: NovaContext, host: string, args: PrepResizeArgs): Promise<void> {
    await this.hosts.long(host).call(toWireContext(ctx), "prep_resize", {
      instance: InstanceCodec.toPrimitive(args.instance),
      flavor: FlavorCodec.toPrimitive(args.flavor),
      image: args.image ?? {},
      request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
      filter_properties: args.filter_properties ?? {},
      node: args.node,
      clean_shutdown: args.clean_shutdown ?? true,
      migration: MigrationCodec.toPrimitive(args.migration),
      host_list: (args.host_list ?? []).map((s) => SelectionCodec.toPrimitive(s)),
    });
  }

  /** Tells the source to power the guest off and move its disk (cast to the migration's source_compute). */
  resizeInstance(
    ctx: NovaContext,
    args: {
      instance: Partial<Instance>;
      migration: Partial<Migration>;
      flavor: Partial<Flavor>;
      image?: Record<string, unknown>;
      request_spec?: Partial<RequestSpec> | null;
      clean_shutdown?: boolean;
    },
  ): Promise<void> {
    return this.on(requireHost(args.migration.source_compute, "source_compute")).cast(
      toWireContext(ctx),
      "resize_instance",
      {
        instance: InstanceCodec.toPrimitive(args.instance),
        migration: MigrationCodec.toPrimitive(args.migration),
        image: args.image ?? {},
        flavor: FlavorCodec.toPrimitive(args.flavor),
        clean_shutdown: args.clean_shutdown ?? true,
        request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
      },
    );
  }

  /** Tells the destination to bring the moved guest up (cast to the migration's dest_compute). */
  finishResize(
    ctx: NovaContext,
    args: {
      instance: Partial<Instance>;
      migration: Partial<Migration>;
      disk_info: string;
      image?: Record<string, unknown>;
      request_spec?: Partial<RequestSpec> | null;
    },
  ): Promise<void> {
    return this.on(requireHost(args.migration.dest_compute, "dest_compute")).cast(
      toWireContext(ctx),
      "finish_resize",
      {
        instance: InstanceCodec.toPrimitive(args.instance),
        migration: MigrationCodec.toPrimitive(args.migration),
        image: args.image ?? {},
        disk_info: args.disk_info,
        request_spec: args.request_spec ? RequestSpecCodec.toPrimitive(args.request_spec) : null,
      },
    );
  }

  /**
   * Tells the source to clean up after a resize the user kept (cast to the migration's source_compute; with
   * `wait`, a call answered once the source is done, as Nova's API does before deleting a resized server).
   */
  async confirmResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    opts: { wait?: boolean } = {},
  ): Promise<void> {
    const client = this.on(requireHost(migration.source_compute, "source_compute"));
    const args = {
      instance: InstanceCodec.toPrimitive(instance),
      migration: MigrationCodec.toPrimitive(migration),
    };
    if (opts.wait) await client.call(toWireContext(ctx), "confirm_resize", args);
    else await client.cast(toWireContext(ctx), "confirm_resize", args);
  }

  /** Tells the destination to drop the resized guest (cast to the migration's dest_compute). */
  revertResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    requestSpec: Partial<RequestSpec> | null = null,
  ): Promise<void> {
    return this.on(requireHost(migration.dest_compute, "dest_compute")).cast(
      toWireContext(ctx),
      "revert_resize",
      {
        instance: InstanceCodec.toPrimitive(instance),
        migration: MigrationCodec.toPrimitive(migration),
        request_spec: requestSpec ? RequestSpecCodec.toPrimitive(requestSpec) : null,
      },
    );
  }

  /** Tells the source to bring the original guest back (cast to the migration's source_compute). */
  finishRevertResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    requestSpec: Partial<RequestSpec> | null = null,
  ): Promise<void> {
    return this.on(requireHost(migration.source_compute, "source_compute")).cast(
      toWireContext(ctx),
      "finish_revert_resize",
      {
        instance: InstanceCodec.toPrimitive(instance),
        migration: MigrationCodec.toPrimitive(migration),
        request_spec: requestSpec ? RequestSpecCodec.toPrimitive(requestSpec) : null,
      },
    );
  }
}

function requireHost(host: string | null | undefined, field: string): string {
  if (!host) throw new TypeError(`the migration has no ${field}`);
  return host;
}
