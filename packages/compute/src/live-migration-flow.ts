import { hasErrorCode, type Logger } from "@nova/core";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import { type Instance, InstanceCodec, type Migration, MigrationCodec } from "@nova/objects";
import {
  type ComputeLiveMigrationAPI,
  type ConductorObjectsAPI,
  fromWireContext,
  type LiveMigrateData,
  type NovaContext,
} from "@nova/rpcapi";
import { type ComputeDriver, OperationNotSupportedError } from "@nova/virt";
import { COMPUTE_RPC_API_VERSION, type ComputeManager, type Tracked } from "./compute-manager.js";
import type { ComputeConfig } from "./config.js";
import { fromDriverError } from "./driver-failure.js";
import { toDriverInstance } from "./driver-mapping.js";

/** What a LiveMigrationFlow works with (the manager it shares locks, events and faults with). */
export interface LiveMigrationFlowOptions {
  /** This compute's host name. */
  host: string;
  /** The hypervisor node instances arriving here run on. */
  node: () => string;
  /** The hypervisor driver. */
  driver: ComputeDriver;
  /** The conductor's object methods. */
  conductor: ConductorObjectsAPI;
  /** The other computes' live-migration methods. */
  live: ComputeLiveMigrationAPI;
  /** The manager whose action wrapper runs each step. */
  manager: ComputeManager;
  /** The parsed options. */
  config: ComputeConfig;
  /** Where the steps are logged. */
  logger: Logger;
}

type LiveVerb =
  | "checkCanLiveMigrateDestination"
  | "checkCanLiveMigrateSource"
  | "preLiveMigration"
  | "liveMigration"
  | "liveMigrationForceComplete"
  | "liveMigrationAbort"
  | "postLiveMigrationAtDestination"
  | "rollbackLiveMigrationAtDestination";

/**
 * nova-compute's side of live migration (Nova's check_can_live_migrate_destination/source, pre_live_migration,
 * live_migration, post_live_migration_at_destination, rollback_live_migration_at_destination,
 * live_migration_force_complete and live_migration_abort). The source drives it: the destination prepares, the
 * driver copies the running guest, the destination takes the instance row (host and node in one save) and the
 * migration is `completed`, which gives back the source's claim. A migration that fails or is aborted leaves the
 * guest running on the source: the migration ends `failed` (`cancelled`, `error` before the copy) and gives back
 * the destination's claim, and the server is ACTIVE (or PAUSED) on the source again.
 */
export class LiveMigrationFlow {
  // Instances whose abort arrived before their copy started (2.65 aborts a queued or preparing migration).
  private readonly abortRequested = new Set<string>();

  /** The flow over its manager and RPC clients; it serves once its endpoint is on the RPC server. */
  constructor(private readonly opts: LiveMigrationFlowOptions) {}

  /** The RPC endpoint (no namespace, the manager's version) serving the live-migration methods. */
  endpoint(): RpcEndpoint {
    const c = (ctx: RequestContext) => fromWireContext(ctx);
    const inst = (raw: unknown) => InstanceCodec.fromPrimitive(raw, "instance");
    const data = (raw: unknown): LiveMigrateData =>
      typeof raw === "object" && raw !== null ? (raw as LiveMigrateData) : {};
    const block = (raw: unknown) => (typeof raw === "boolean" ? raw : null);
    return {
      version: COMPUTE_RPC_API_VERSION,
      methods: {
        check_can_live_migrate_destination: (ctx, a: Record<string, unknown>) =>
          this.checkCanLiveMigrateDestination(c(ctx), inst(a.instance), block(a.block_migration)),
        check_can_live_migrate_source: (_ctx, a: Record<string, unknown>) =>
          this.checkCanLiveMigrateSource(inst(a.instance), data(a.dest_check_data)),
        pre_live_migration: (ctx, a: Record<string, unknown>) =>
          this.preLiveMigration(c(ctx), inst(a.instance), data(a.migrate_data)),
        live_migration: (ctx, a: Record<string, unknown>) =>
          this.liveMigration(c(ctx), {
            dest: String(a.dest),
            instance: inst(a.instance),
            blockMigration: block(a.block_migration),
            migration: MigrationCodec.fromPrimitive(a.migration, "migration"),
            migrateData: data(a.migrate_data),
          }),
        post_live_migration_at_destination: (ctx, a: Record<string, unknown>) =>
          this.postLiveMigrationAtDestination(c(ctx), inst(a.instance)),
        rollback_live_migration_at_destination: (ctx, a: Record<string, unknown>) =>
          this.rollbackLiveMigrationAtDestination(c(ctx), inst(a.instance)),
        live_migration_force_complete: (_ctx, a: Record<string, unknown>) =>
          this.forceComplete(inst(a.instance)),
        live_migration_abort: (_ctx, a: Record<string, unknown>) => this.abort(inst(a.instance)),
      },
    };
  }

  /** On the destination: the driver's check, then the source's (a call to it); answers the migrate data. */
  async checkCanLiveMigrateDestination(
    ctx: NovaContext,
    instance: Partial<Instance>,
    blockMigration: boolean | null,
  ): Promise<LiveMigrateData> {
    const check = this.verb("checkCanLiveMigrateDestination", instance);
    const destData = await this.driverCall(instance, () =>
      check(this.driverInstance(instance, ctx), { blockMigration }),
    );
    return this.opts.live.checkCanLiveMigrateSource(ctx, instance, { ...destData, dest: this.opts.host });
  }

  /** On the source: the driver's check that the guest can leave. */
  async checkCanLiveMigrateSource(
    instance: Partial<Instance>,
    destCheckData: LiveMigrateData,
  ): Promise<LiveMigrateData> {
    const check = this.verb("checkCanLiveMigrateSource", instance);
    return this.driverCall(instance, () => check(this.opts.manager.ref(instance), destCheckData));
  }

  /** On the destination: the driver gets ready for the incoming guest. */
  async preLiveMigration(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migrateData: LiveMigrateData,
  ): Promise<LiveMigrateData> {
    const pre = this.verb("preLiveMigration", instance);
    return this.driverCall(instance, () => pre(this.driverInstance(instance, ctx), migrateData));
  }

  /**
   * On the source (a cast from the conductor): the migration `queued`, `preparing` while the destination prepares,
   * `running` while the driver copies the guest, then the post steps; a failure rolls back (see the class).
   */
  liveMigration(
    ctx: NovaContext,
    args: {
      dest: string;
      instance: Partial<Instance>;
      blockMigration: boolean | null;
      migration: Partial<Migration>;
      migrateData: LiveMigrateData;
    },
  ): Promise<void> {
    const { live, logger } = this.opts;
    const { dest } = args;
    return this.opts.manager.runAction(ctx, args.instance, "compute_live_migration", null, async (t) => {
      const migrate = this.verb("liveMigration", t.current);
      let m = await this.setStatus(ctx, args.migration, "queued");
      m = await this.setStatus(ctx, m, "preparing");
      let data: LiveMigrateData;
      try {
        data = await live.preLiveMigration(ctx, dest, t.current, args.migrateData);
      } catch (err) {
        await this.rollback(ctx, t, m, dest, "error");
        throw err;
      }
      if (this.abortRequested.delete(t.current.uuid ?? "")) {
        await this.rollback(ctx, t, m, dest, "cancelled");
        logger.info(
          { instance_uuid: t.current.uuid, migration_id: m.id },
          "live migration aborted before its copy",
        );
        return;
      }
      m = await this.setStatus(ctx, m, "running");
      try {
        await migrate(this.driverInstance(t.current, ctx), dest, data);
      } catch (err) {
        this.abortRequested.delete(t.current.uuid ?? "");
        const aborted = hasErrorCode(err, "LIVE_MIGRATION_ABORTED");
        await this.rollback(ctx, t, m, dest, aborted ? "cancelled" : "failed");
        if (aborted) {
          logger.info({ instance_uuid: t.current.uuid, migration_id: m.id }, "live migration aborted");
          return;
        }
        throw fromDriverError(err, t.current.uuid ?? "");
      }
      this.abortRequested.delete(t.current.uuid ?? "");
      await this.postLiveMigration(ctx, t, m, dest, args.blockMigration);
    });
  }

  /** On the destination (a call from the source): the driver takes the guest, the instance row names this host. */
  postLiveMigrationAtDestination(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const { conductor, host, node } = this.opts;
    return this.opts.manager.runAction(
      ctx,
      instance,
      "compute_post_live_migration_at_destination",
      null,
      async (t) => {
        const post = this.verb("postLiveMigrationAtDestination", t.current);
        await this.driverCall(t.current, () => post(this.driverInstance(t.current, ctx)));
        const power = await this.opts.manager.powerStateOf(this.opts.manager.ref(t.current));
        t.current = await conductor.instanceSave(
          ctx,
          { ...t.current, host, node: node(), power_state: power, task_state: null, progress: 0 },
          ["host", "node", "power_state", "task_state", "progress"],
          { expectedTaskState: ["migrating"] },
        );
      },
    );
  }

  /** On the destination (a cast from the source): drops what pre_live_migration made. */
  rollbackLiveMigrationAtDestination(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    return this.opts.manager.runAction(
      ctx,
      instance,
      "compute_rollback_live_migration_at_destination",
      null,
      async (t) => {
        const rollback = this.verb("rollbackLiveMigrationAtDestination", t.current);
        await this.driverCall(t.current, () => rollback(this.opts.manager.ref(t.current)));
      },
    );
  }

  /** On the source: the running copy finishes now. Outside the instance lock, which the migration holds. */
  async forceComplete(instance: Partial<Instance>): Promise<void> {
    const force = this.verb("liveMigrationForceComplete", instance);
    await this.driverCall(instance, () => force(this.opts.manager.ref(instance)));
  }

  /** On the source: the running copy stops (the migration then rolls back as `cancelled`). Outside the lock too. */
  async abort(instance: Partial<Instance>): Promise<void> {
    const stop = this.verb("liveMigrationAbort", instance);
    if (instance.uuid) this.abortRequested.add(instance.uuid);
    await this.driverCall(instance, () => stop(this.opts.manager.ref(instance)));
  }

  // Nova's _post_live_migration: the destination takes the instance, the source's leftovers go, and the
  // migration `completed` gives back the source's claim (the row names the destination by then).
  private async postLiveMigration(
    ctx: NovaContext,
    t: Tracked,
    migration: Partial<Migration>,
    dest: string,
    blockMigration: boolean | null,
  ): Promise<void> {
    const { conductor, live, driver, logger } = this.opts;
    try {
      await live.postLiveMigrationAtDestination(ctx, dest, t.current, blockMigration);
      await this.driverCall(t.current, () => driver.destroy(this.opts.manager.ref(t.current)));
      await this.setStatus(ctx, migration, "completed");
    } catch (err) {
      await this.setStatus(ctx, migration, "error").catch(() => undefined);
      t.current = await conductor
        .instanceSave(ctx, { ...t.current, vm_state: "error", task_state: null }, ["vm_state", "task_state"])
        .catch(() => t.current);
      throw err;
    }
    const moved = await conductor.instanceGetByUuid(ctx, t.current.uuid ?? "");
    t.current = await conductor.instanceSave(ctx, { ...moved, old_flavor: null, new_flavor: null }, [
      "old_flavor",
      "new_flavor",
    ]);
    logger.info(
      { instance_uuid: t.current.uuid, migration_id: migration.id, dest },
      "live migration completed",
    );
  }

  // Nova's _rollback_live_migration: the migration ends first (giving back the destination's claim while the
  // row still names this host), then the instance loses its task and the destination drops what it prepared.
  private async rollback(
    ctx: NovaContext,
    t: Tracked,
    migration: Partial<Migration>,
    dest: string,
    status: "error" | "failed" | "cancelled",
  ): Promise<void> {
    const { conductor, live, logger } = this.opts;
    try {
      await this.setStatus(ctx, migration, status);
    } catch (err) {
      logger.warn({ instance_uuid: t.current.uuid, err: describe(err) }, "could not end the live migration");
    }
    const power = await this.opts.manager.powerStateOf(this.opts.manager.ref(t.current));
    t.current = await conductor.instanceSave(
      ctx,
      { ...t.current, task_state: null, power_state: power, old_flavor: null, new_flavor: null },
      ["task_state", "power_state", "old_flavor", "new_flavor"],
      { expectedTaskState: ["migrating"] },
    );
    await live.rollbackLiveMigrationAtDestination(ctx, dest, t.current, {}).catch((err: unknown) => {
      logger.warn(
        { instance_uuid: t.current.uuid, dest, err: describe(err) },
        "destination rollback not sent",
      );
    });
  }

  private setStatus(ctx: NovaContext, m: Partial<Migration>, status: string): Promise<Partial<Migration>> {
    return this.opts.conductor.migrationSave(ctx, { ...m, status }, ["status"]);
  }

  // The driver's verb, bound, or OperationNotSupportedError (Nova's NotImplementedError) when it has none.
  private verb<K extends LiveVerb>(name: K, instance: Partial<Instance>): NonNullable<ComputeDriver[K]> {
    const fn = this.opts.driver[name];
    if (!fn) {
      const uuid = instance.uuid ?? "";
      throw fromDriverError(
        new OperationNotSupportedError("The hypervisor driver", "live migration", { instanceUuid: uuid }),
        uuid,
      );
    }
    return (fn as (...a: unknown[]) => unknown).bind(this.opts.driver) as NonNullable<ComputeDriver[K]>;
  }

  private driverInstance(instance: Partial<Instance>, ctx: NovaContext) {
    return toDriverInstance(instance, this.opts.config.instance_name_template, ctx);
  }

  private async driverCall<T>(instance: Partial<Instance>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fromDriverError(err, instance.uuid ?? "");
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
