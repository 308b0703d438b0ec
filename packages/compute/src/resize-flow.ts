import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  type Flavor,
  FlavorCodec,
  type Instance,
  InstanceCodec,
  type Migration,
  MigrationCodec,
  type RequestSpec,
  RequestSpecCodec,
  type TaskState,
  VM_STATES,
  type VmState,
} from "@nova/objects";
import {
  adminContext,
  type ComputeResizeAPI,
  type ConductorObjectsAPI,
  fromWireContext,
  MigrationError,
  type NovaContext,
} from "@nova/rpcapi";
import { type ComputeDriver, PowerState } from "@nova/virt";
import { COMPUTE_RPC_API_VERSION, type ComputeManager, type Tracked } from "./compute-manager.js";
import type { ComputeConfig } from "./config.js";
import { fromDriverError } from "./driver-failure.js";
import { toDriverFlavor, toDriverInstance } from "./driver-mapping.js";

/** What a ResizeFlow works with (the manager it shares locks, events and faults with). */
export interface ResizeFlowOptions {
  /** This compute's host name. */
  host: string;
  /** The hypervisor driver. */
  driver: ComputeDriver;
  /** The conductor's object methods. */
  conductor: ConductorObjectsAPI;
  /** The other computes' resize methods (the casts between source and destination). */
  resize: ComputeResizeAPI;
  /** The manager whose action wrapper runs each step. */
  manager: ComputeManager;
  /** The parsed options. */
  config: ComputeConfig;
  /** The clock of the auto-confirm sweep. */
  clock: Clock;
  /** Where the steps are logged. */
  logger: Logger;
}

// The task states of a move, in Nova's order.
const RESIZE_TASKS = ["resize_prep", "resize_migrating", "resize_migrated", "resize_finish"] as const;

/**
 * nova-compute's side of resize and cold migration (Nova's prep_resize, resize_instance, finish_resize,
 * confirm_resize, revert_resize and finish_revert_resize, and the resize_confirm_window sweep). The
 * destination readies itself and casts to the source, which powers the guest off and moves its disk and casts
 * back; the destination brings the guest up at the new size and the server waits in VERIFY_RESIZE. The instance
 * row's host and flavor change in one save when the destination finishes (and back when the source finishes a
 * revert), so the claims the row and the migration hold are always the two sides of the move.
 */
export class ResizeFlow {
  /** The flow over its manager and RPC clients; it serves once its endpoint is on the RPC server. */
  constructor(private readonly opts: ResizeFlowOptions) {}

  /** The RPC endpoint (no namespace, the manager's version) serving the resize methods. */
  endpoint(): RpcEndpoint {
    const c = (ctx: RequestContext) => fromWireContext(ctx);
    const inst = (raw: unknown) => InstanceCodec.fromPrimitive(raw, "instance");
    const mig = (raw: unknown) => MigrationCodec.fromPrimitive(raw, "migration");
    const spec = (raw: unknown) =>
      raw === null || raw === undefined ? null : RequestSpecCodec.fromPrimitive(raw, "request_spec");
    return {
      version: COMPUTE_RPC_API_VERSION,
      methods: {
        prep_resize: (ctx, a: Record<string, unknown>) =>
          this.prepResize(
            c(ctx),
            inst(a.instance),
            FlavorCodec.fromPrimitive(a.flavor, "flavor"),
            mig(a.migration),
            {
              node: typeof a.node === "string" ? a.node : null,
              cleanShutdown: a.clean_shutdown !== false,
              requestSpec: spec(a.request_spec),
            },
          ),
        resize_instance: (ctx, a: Record<string, unknown>) =>
          this.resizeInstance(
            c(ctx),
            inst(a.instance),
            mig(a.migration),
            FlavorCodec.fromPrimitive(a.flavor, "flavor"),
            {
              cleanShutdown: a.clean_shutdown !== false,
              requestSpec: spec(a.request_spec),
            },
          ),
        finish_resize: (ctx, a: Record<string, unknown>) =>
          this.finishResize(
            c(ctx),
            inst(a.instance),
            mig(a.migration),
            typeof a.disk_info === "string" ? a.disk_info : "{}",
          ),
        confirm_resize: (ctx, a: Record<string, unknown>) =>
          this.confirmResize(c(ctx), inst(a.instance), mig(a.migration)),
        revert_resize: (ctx, a: Record<string, unknown>) =>
          this.revertResize(c(ctx), inst(a.instance), mig(a.migration), spec(a.request_spec)),
        finish_revert_resize: (ctx, a: Record<string, unknown>) =>
          this.finishRevertResize(c(ctx), inst(a.instance), mig(a.migration)),
      },
    };
  }

  /** The resize_confirm_window sweep as a periodic task, or null when the window is 0 (off, Nova's default). */
  confirmSweep(): PeriodicTask | null {
    const window = this.opts.config.resize_confirm_window;
    if (window <= 0) return null;
    return new PeriodicTask(
      { name: "_poll_unconfirmed_resizes", spacingMs: Math.min(window, 60) * 1000 },
      async () => {
        await this.pollUnconfirmedResizes();
      },
      this.opts.clock,
      this.opts.logger,
    );
  }

  /**
   * On the destination: takes the move (same-host rules, the driver's check at the new size, the vm_state kept
   * for the end of the move), then casts resize_instance to the source. A failure is the conductor's to
   * reschedule (the task state is left to it).
   */
  prepResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    flavor: Partial<Flavor>,
    migration: Partial<Migration>,
    opts: { node: string | null; cleanShutdown: boolean; requestSpec: Partial<RequestSpec> | null },
  ): Promise<void> {
    const { host, driver, conductor, config } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_prep_resize", null, async (t) => {
      this.expectTask(t.current, ["resize_prep"], "prep_resize");
      const sameHost = t.current.host === host;
      if (sameHost && flavor.id === t.current.flavor?.id) {
        // Nova's UnableToMigrateToSelf: no driver of ours moves a guest onto its own host.
        throw new MigrationError({ reason: `destination ${host} is the same as the source` });
      }
      if (sameHost && !config.allow_resize_to_same_host) {
        throw new MigrationError({ reason: `resize to the same host ${host} is not allowed` });
      }
      const target = { ...t.current, flavor: flavor as Flavor };
      await this.driverCall(t.current, () =>
        driver.prepResize(
          toDriverInstance(target, config.instance_name_template, ctx),
          toDriverFlavor(target),
        ),
      );
      // As Nova's _prep_resize: the vm_state is stashed so the move ends where it started (ACTIVE or STOPPED).
      const systemMetadata = {
        ...(t.current.system_metadata ?? {}),
        old_vm_state: t.current.vm_state ?? "active",
      };
      t.current = await conductor.instanceSave(
        ctx,
        { ...t.current, system_metadata: systemMetadata, new_flavor: flavor as Flavor },
        ["system_metadata", "new_flavor"],
        { expectedTaskState: ["resize_prep"] },
      );
      const saved = await conductor.migrationSave(
        ctx,
        {
          ...migration,
          dest_compute: host,
          dest_node: opts.node ?? migration.dest_node ?? host,
          dest_host: config.my_ip,
        },
        ["dest_compute", "dest_node", "dest_host"],
      );
      await this.opts.resize.resizeInstance(ctx, {
        instance: t.current,
        migration: saved,
        flavor,
        request_spec: opts.requestSpec,
        clean_shutdown: opts.cleanShutdown,
      });
    });
  }

  /**
   * On the source: powers the guest off and moves its disk (migrate_disk_and_power_off), then casts
   * finish_resize to the destination. A failure ends the migration in error (the destination's claim given back)
   * and the instance in ERROR, as Nova's.
   */
  resizeInstance(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    flavor: Partial<Flavor>,
    opts: { cleanShutdown: boolean; requestSpec: Partial<RequestSpec> | null },
  ): Promise<void> {
    const { driver, conductor, config } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_resize_instance", null, async (t) => {
      let m = migration;
      await this.erroringOut(
        ctx,
        t,
        () => m,
        async () => {
          m = await conductor.migrationSave(ctx, { ...m, status: "migrating" }, ["status"]);
          t.current = await conductor.instanceSave(
            ctx,
            { ...t.current, task_state: "resize_migrating" },
            ["task_state"],
            {
              expectedTaskState: ["resize_prep"],
            },
          );
          const timeoutSeconds = opts.cleanShutdown ? config.shutdown_timeout : 0;
          const retryIntervalSeconds = opts.cleanShutdown ? config.shutdown_retry_interval : 0;
          const target = { ...t.current, flavor: flavor as Flavor };
          const diskInfo = await this.driverCall(t.current, () =>
            driver.migrateDiskAndPowerOff(
              toDriverInstance(t.current, config.instance_name_template, ctx),
              m.dest_host ?? m.dest_compute ?? "",
              toDriverFlavor(target),
              { timeoutSeconds, retryIntervalSeconds },
            ),
          );
          m = await conductor.migrationSave(ctx, { ...m, status: "post-migrating" }, ["status"]);
          t.current = await conductor.instanceSave(
            ctx,
            { ...t.current, task_state: "resize_migrated", power_state: PowerState.SHUTDOWN },
            ["task_state", "power_state"],
            { expectedTaskState: ["resize_migrating"] },
          );
          await this.opts.resize.finishResize(ctx, {
            instance: t.current,
            migration: m,
            disk_info: diskInfo,
            request_spec: opts.requestSpec,
          });
        },
      );
    });
  }

  /**
   * On the destination: the instance row moves here at the new size (host, node and flavor in one save), the
   * driver brings the guest up (powered on unless it was stopped), the migration is `finished` and the server
   * RESIZED (VERIFY_RESIZE).
   */
  finishResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    diskInfo: string,
  ): Promise<void> {
    const { driver, conductor, config } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_finish_resize", null, async (t) => {
      let m = migration;
      await this.erroringOut(
        ctx,
        t,
        () => m,
        async () => {
          const flavor = t.current.new_flavor ?? t.current.flavor;
          if (!flavor) throw new MigrationError({ reason: "the instance carries no new flavor" });
          const oldVmState = t.current.system_metadata?.old_vm_state;
          t.current = await conductor.instanceSave(
            ctx,
            {
              ...t.current,
              ...sizedAs(flavor as Flavor),
              old_flavor: t.current.old_flavor ?? t.current.flavor ?? null,
              host: m.dest_compute ?? this.opts.host,
              node: m.dest_node ?? null,
              task_state: "resize_finish",
            },
            [
              "flavor",
              "instance_type_id",
              "vcpus",
              "memory_mb",
              "root_gb",
              "ephemeral_gb",
              "old_flavor",
              "host",
              "node",
              "task_state",
            ],
            { expectedTaskState: ["resize_migrated"] },
          );
          await this.driverCall(t.current, () =>
            driver.finishMigration({
              instance: toDriverInstance(t.current, config.instance_name_template, ctx),
              diskInfo,
              resizeInstance: m.old_instance_type_id !== m.new_instance_type_id,
              powerOn: oldVmState !== "stopped",
            }),
          );
          m = await conductor.migrationSave(ctx, { ...m, status: "finished" }, ["status"]);
          const powerState = await this.opts.manager.powerStateOf(this.opts.manager.ref(t.current));
          t.current = await conductor.instanceSave(
            ctx,
            { ...t.current, vm_state: "resized", task_state: null, power_state: powerState },
            ["vm_state", "task_state", "power_state"],
            { expectedTaskState: ["resize_finish"] },
          );
          this.opts.logger.info({ instance_uuid: t.current.uuid, migration_id: m.id }, "resize finished");
        },
      );
    });
  }

  /**
   * On the source, once the user keeps the move: the driver drops what it kept for a revert, the migration is
   * `confirmed` (the conductor gives back the source's claim) and the server ACTIVE or STOPPED as its guest is.
   */
  confirmResize(ctx: NovaContext, instance: Partial<Instance>, migration: Partial<Migration>): Promise<void> {
    const { driver, conductor, config } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_confirm_resize", null, async (t) => {
      if (migration.status === "confirmed") return; // a repeated cast: nothing left to do
      const source = { ...t.current, flavor: t.current.old_flavor ?? t.current.flavor };
      await this.driverCall(t.current, () =>
        driver.confirmMigration(
          toDriverInstance(source as Partial<Instance>, config.instance_name_template, ctx),
        ),
      );
      await conductor.migrationSave(ctx, { ...migration, status: "confirmed" }, ["status"]);
      const stopped = t.current.power_state === PowerState.SHUTDOWN;
      t.current = await conductor.instanceSave(
        ctx,
        {
          ...t.current,
          vm_state: stopped ? "stopped" : "active",
          task_state: null,
          old_flavor: null,
          new_flavor: null,
        },
        ["vm_state", "task_state", "old_flavor", "new_flavor"],
        { expectedVmState: ["resized"], expectedTaskState: [null, "resize_confirming"] },
      );
    });
  }

  /** On the destination, for a revert: drops the resized guest and casts finish_revert_resize to the source. */
  revertResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
    requestSpec: Partial<RequestSpec> | null,
  ): Promise<void> {
    const { driver } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_revert_resize", null, async (t) => {
      this.expectTask(t.current, ["resize_reverting"], "revert_resize");
      await this.erroringOut(
        ctx,
        t,
        () => migration,
        async () => {
          await this.driverCall(t.current, () => driver.destroy(this.opts.manager.ref(t.current)));
          await this.opts.resize.finishRevertResize(ctx, t.current, migration, requestSpec);
        },
      );
    });
  }

  /**
   * On the source, finishing a revert: the row moves back here at the old size (one save), the driver brings the
   * original guest back, the migration is `reverted` (the conductor gives back the destination's claim) and the
   * server returns to the vm_state it had before the move.
   */
  finishRevertResize(
    ctx: NovaContext,
    instance: Partial<Instance>,
    migration: Partial<Migration>,
  ): Promise<void> {
    const { driver, conductor, config } = this.opts;
    return this.opts.manager.runAction(ctx, instance, "compute_finish_revert_resize", null, async (t) => {
      await this.erroringOut(
        ctx,
        t,
        () => migration,
        async () => {
          const old = t.current.old_flavor ?? t.current.flavor;
          if (!old) throw new MigrationError({ reason: "the instance carries no old flavor" });
          const { old_vm_state: oldVmState, ...restMetadata } = t.current.system_metadata ?? {};
          t.current = await conductor.instanceSave(
            ctx,
            {
              ...t.current,
              ...sizedAs(old as Flavor),
              host: migration.source_compute ?? this.opts.host,
              node: migration.source_node ?? null,
            },
            ["flavor", "instance_type_id", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "host", "node"],
            { expectedTaskState: ["resize_reverting"] },
          );
          await this.driverCall(t.current, () =>
            driver.finishRevertMigration(
              toDriverInstance(t.current, config.instance_name_template, ctx),
              oldVmState !== "stopped",
            ),
          );
          await conductor.migrationSave(ctx, { ...migration, status: "reverted" }, ["status"]);
          const powerState = await this.opts.manager.powerStateOf(this.opts.manager.ref(t.current));
          const vmState: VmState = isVmState(oldVmState) ? oldVmState : "active";
          t.current = await conductor.instanceSave(
            ctx,
            {
              ...t.current,
              vm_state: vmState,
              task_state: null,
              power_state: powerState,
              system_metadata: restMetadata,
              old_flavor: null,
              new_flavor: null,
            },
            ["vm_state", "task_state", "power_state", "system_metadata", "old_flavor", "new_flavor"],
            { expectedTaskState: ["resize_reverting"] },
          );
        },
      );
    });
  }

  /**
   * Nova's _poll_unconfirmed_resizes: resizes finished on this host longer than resize_confirm_window ago are
   * confirmed (status `confirming`, then confirm_resize cast to their source), unless the server moved on.
   */
  async pollUnconfirmedResizes(): Promise<number> {
    const { conductor, host, logger, config } = this.opts;
    const ctx = adminContext();
    const found = await conductor.migrationsGetUnconfirmedByDestCompute(
      ctx,
      config.resize_confirm_window,
      host,
    );
    let confirmed = 0;
    for (const migration of found) {
      try {
        const instance = await conductor.instanceGetByUuid(ctx, migration.instance_uuid ?? "");
        if (instance.vm_state !== "resized" || instance.task_state !== null) {
          logger.info({ instance_uuid: instance.uuid, migration_id: migration.id }, "skipping auto-confirm");
          continue;
        }
        const confirming = await conductor.migrationSave(ctx, { ...migration, status: "confirming" }, [
          "status",
        ]);
        await this.opts.resize.confirmResize(ctx, instance, confirming);
        confirmed++;
      } catch (err) {
        logger.warn({ migration_id: migration.id, err: describe(err) }, "auto-confirm of a resize failed");
      }
    }
    return confirmed;
  }

  // A step that fails leaves the migration in error (the conductor gives back what it held) and the instance
  // in ERROR, as Nova's errors_out_migration and _error_out_instance_on_exception do; then the failure goes on.
  private async erroringOut(
    ctx: NovaContext,
    t: Tracked,
    migration: () => Partial<Migration>,
    fn: () => Promise<void>,
  ): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const { conductor, logger } = this.opts;
      try {
        await conductor.migrationSave(ctx, { ...migration(), status: "error" }, ["status"]);
      } catch (e) {
        logger.warn({ instance_uuid: t.current.uuid, err: describe(e) }, "could not error out the migration");
      }
      try {
        t.current = await conductor.instanceSave(ctx, { ...t.current, vm_state: "error", task_state: null }, [
          "vm_state",
          "task_state",
        ]);
      } catch (e) {
        logger.warn({ instance_uuid: t.current.uuid, err: describe(e) }, "could not set ERROR state");
      }
      throw err;
    }
  }

  private expectTask(instance: Partial<Instance>, tasks: readonly TaskState[], method: string): void {
    const task = instance.task_state ?? null;
    if (task === null || !tasks.includes(task)) {
      throw new MigrationError({
        reason: `${method}: the instance's task_state is ${task}, not ${tasks.join("/")}`,
      });
    }
  }

  private async driverCall<T>(instance: Partial<Instance>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fromDriverError(err, instance.uuid ?? "");
    }
  }
}

/** The instance's size fields from a flavor (Nova's _set_instance_info). */
function sizedAs(flavor: Flavor): Partial<Instance> {
  return {
    flavor,
    instance_type_id: flavor.id ?? null,
    vcpus: flavor.vcpus ?? null,
    memory_mb: flavor.memory_mb ?? null,
    root_gb: flavor.root_gb ?? null,
    ephemeral_gb: flavor.ephemeral_gb ?? null,
  };
}

function isVmState(value: string | null | undefined): value is VmState {
  return value !== null && value !== undefined && (VM_STATES as readonly string[]).includes(value);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The task states a move passes through before VERIFY_RESIZE. */
export const RESIZE_TASK_STATES: readonly TaskState[] = RESIZE_TASKS;
