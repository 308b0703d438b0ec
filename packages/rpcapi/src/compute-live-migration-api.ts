import type { RpcClient } from "@nova/messaging";
import { type Instance, InstanceCodec, type Migration, MigrationCodec } from "@nova/objects";
import { ComputeHostClient } from "./compute-api.js";
import { type NovaContext, toWireContext } from "./request-context.js";
import type { RpcApiOptions } from "./rpc-client-options.js";

/**
 * What the computes exchange about a live migration (Nova's LibvirtLiveMigrateData and kin). Nova sends a
 * versioned object; nova-ts sends its fields as a plain dict (2026-12-07-live-migration-evacuate.md).
 */
export type LiveMigrateData = Record<string, unknown>;

/**
 * The live-migration half of Nova's compute RPC API (5.x/6.0 method names and arguments): the checks the conductor
 * asks of the destination (which asks the source), the destination's preparation, the source's migration, the
 * destination's finish or rollback, and force-complete and abort.
 */
export class ComputeLiveMigrationAPI {
  private readonly hosts: ComputeHostClient;

  /** Sends to `compute.<host>` over `opts.transport`. */
  constructor(opts: RpcApiOptions) {
    this.hosts = new ComputeHostClient(opts);
  }

  private on(host: string, long = false): RpcClient {
    return long ? this.hosts.long(host) : this.hosts.on(host);
  }

  /** Asks the destination whether it can take the guest (it asks the source in turn); answers the migrate data. */
  async checkCanLiveMigrateDestination(
    ctx: NovaContext,
    destination: string,
    args: {
      instance: Partial<Instance>;
      block_migration: boolean | null;
      disk_over_commit: boolean | null;
      migration: Partial<Migration>;
    },
  ): Promise<LiveMigrateData> {
    return asData(
      await this.on(destination, true).call(toWireContext(ctx), "check_can_live_migrate_destination", {
        instance: InstanceCodec.toPrimitive(args.instance),
        block_migration: args.block_migration,
        disk_over_commit: args.disk_over_commit,
        migration: MigrationCodec.toPrimitive(args.migration),
        limits: null,
      }),
    );
  }

  /** Asks the source (the instance's host) whether the guest can leave it for the destination checked. */
  async checkCanLiveMigrateSource(
    ctx: NovaContext,
    instance: Partial<Instance>,
    destCheckData: LiveMigrateData,
  ): Promise<LiveMigrateData> {
    return asData(
      await this.on(requireHost(instance.host, "host")).call(
        toWireContext(ctx),
        "check_can_live_migrate_source",
        { instance: InstanceCodec.toPrimitive(instance), dest_check_data: destCheckData },
      ),
    );
  }

  /** Asks the destination to get ready for the incoming guest (a call, as Nova's). */
  async preLiveMigration(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    migrateData: LiveMigrateData,
  ): Promise<LiveMigrateData> {
    return asData(
      await this.on(host, true).call(toWireContext(ctx), "pre_live_migration", {
        instance: InstanceCodec.toPrimitive(instance),
        disk: null,
        migrate_data: migrateData,
      }),
    );
  }

  /** Tells the source to migrate the guest to `dest` (cast). */
  liveMigration(
    ctx: NovaContext,
    args: {
      instance: Partial<Instance>;
      dest: string;
      block_migration: boolean | null;
      migration: Partial<Migration>;
      migrate_data: LiveMigrateData;
    },
  ): Promise<void> {
    return this.on(requireHost(args.instance.host, "host")).cast(toWireContext(ctx), "live_migration", {
      instance: InstanceCodec.toPrimitive(args.instance),
      dest: args.dest,
      block_migration: args.block_migration,
      migration: MigrationCodec.toPrimitive(args.migration),
      migrate_data: args.migrate_data,
    });
  }

  /** Tells the destination the guest is there: it takes the instance (a call, as Nova's). */
  async postLiveMigrationAtDestination(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    blockMigration: boolean | null,
  ): Promise<void> {
    await this.on(host, true).call(toWireContext(ctx), "post_live_migration_at_destination", {
      instance: InstanceCodec.toPrimitive(instance),
      block_migration: blockMigration,
    });
  }

  /** Tells the destination to drop what it prepared for a migration that did not happen (cast). */
  rollbackLiveMigrationAtDestination(
    ctx: NovaContext,
    host: string,
    instance: Partial<Instance>,
    migrateData: LiveMigrateData,
  ): Promise<void> {
    return this.on(host).cast(toWireContext(ctx), "rollback_live_migration_at_destination", {
      instance: InstanceCodec.toPrimitive(instance),
      destroy_disks: true,
      migrate_data: migrateData,
    });
  }

  /** Tells the source to finish the running migration now (cast to the migration's source_compute). */
  liveMigrationForceComplete(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
  ): Promise<void> {
    const host = migration.source_compute ?? instance.host;
    return this.on(requireHost(host, "source_compute")).cast(
      toWireContext(ctx),
      "live_migration_force_complete",
      { instance: InstanceCodec.toPrimitive(instance) },
    );
  }

  /** Tells the source to abort the running migration (cast to the instance's host). */
  liveMigrationAbort(ctx: NovaContext, instance: Partial<Instance>, migrationId: number): Promise<void> {
    return this.on(requireHost(instance.host, "host")).cast(toWireContext(ctx), "live_migration_abort", {
      instance: InstanceCodec.toPrimitive(instance),
      migration_id: migrationId,
    });
  }
}

function asData(reply: unknown): LiveMigrateData {
  return typeof reply === "object" && reply !== null ? (reply as LiveMigrateData) : {};
}

function requireHost(host: string | null | undefined, field: string): string {
  if (!host) throw new TypeError(`no ${field} to send the live migration step to`);
  return host;
}
