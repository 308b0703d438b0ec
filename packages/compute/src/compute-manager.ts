import type { Clock, Logger } from "@nova/core";
import type { ImageStore } from "@nova/image-catalog";
import type { RequestContext, RpcEndpoint } from "@nova/messaging";
import {
  type Instance,
  type InstanceActivityObserver,
  InstanceCodec,
  InstanceListCodec,
  instanceFaultFromError,
  type PowerStateValue,
  VM_STATES,
} from "@nova/objects";
import {
  BuildAbortException,
  type BuiltGuest,
  type ConductorObjectsAPI,
  fromWireContext,
  GroupAffinityViolation,
  InstanceInvalidState,
  InstanceNotFound,
  type NovaContext,
  RescheduledException,
  type SchedulerAPI,
  UnexpectedDeletingTaskStateError,
  UnexpectedTaskStateError,
} from "@nova/rpcapi";
import { type ComputeDriver, type InstanceRef, PowerState, type RebootType, VirtError } from "@nova/virt";
import { ACTION_STATES, type ActionStates, checkActionState } from "./action-states.js";
import { classifySpawnFailure } from "./build-failure.js";
import type { ComputeConfig } from "./config.js";
import { fromDriverError } from "./driver-failure.js";
import { decodeInjectedFiles, toDriverInstance, toImageMeta, toInstanceRef } from "./driver-mapping.js";
import { validateInstanceGroupPolicy } from "./group-policy.js";
import { InstanceLocks } from "./instance-locks.js";
import { lifecycleMethods } from "./lifecycle-endpoint.js";
import { deleteShelvedImage, unshelvedSystemMetadata } from "./shelve-flow.js";

/** The RPC API version served: 6.1, so Zed's 6.0 requests (and nova-ts's) match. */
export const COMPUTE_RPC_API_VERSION = "6.1";

/** Where build outcomes are counted (the resource tracker's `failed_builds` stat). */
export interface BuildOutcomeSink {
  /** A build on `nodename` succeeded. */
  buildSucceeded(nodename: string): void;
  /** A build on `nodename` failed. */
  buildFailed(nodename: string): void;
}

/** What a ComputeManager works with. */
export interface ComputeManagerOptions {
  /** This compute's host name. */
  host: string;
  /** The hypervisor driver. */
  driver: ComputeDriver;
  /** The conductor's object methods (every database read and write). */
  conductor: ConductorObjectsAPI;
  /** The scheduler, for the instance-info fanouts. */
  scheduler: SchedulerAPI;
  /** The parsed nova.conf options. */
  config: ComputeConfig;
  /** The clock for launched_at, terminated_at and timeouts. */
  clock: Clock;
  /** Where actions and failures are logged. */
  logger: Logger;
  /** The node a build lands on when the request names none (the driver's first node). */
  defaultNode: () => string;
  /** Told of each build's outcome (the resource tracker). */
  buildOutcomes?: BuildOutcomeSink;
  /** Where snapshots go (createImage, createBackup, shelve); without it those actions fail. */
  images?: ImageStore;
  /** Told of each fault recorded (metrics). */
  activity?: InstanceActivityObserver;
}

/** What a build needs besides the instance (build_and_run_instance's other arguments the compute reads). */
export interface BuildRequest {
  /** The image dict (Glance's fields). */
  image: Record<string, unknown>;
  /** The node the scheduler picked; null means the driver's first. */
  node: string | null;
  /** Nova's `[path, base64]` pairs. */
  injectedFiles?: unknown;
  /** The admin password to set in the guest. */
  adminPassword?: string | null;
  /** The request's scheduler hints (`filter_properties.scheduler_hints`): the `group` the late check reads. */
  schedulerHints?: Record<string, unknown>;
}

/** The instance an action works on, as last saved: the revert and the fault need the latest copy. */
export interface Tracked {
  current: Partial<Instance>;
}

/** build_and_run_instance's arguments as they arrive (only what the compute reads is typed). */
interface BuildArgsWire {
  instance: unknown;
  image?: Record<string, unknown> | null;
  node?: string | null;
  injected_files?: unknown;
  admin_password?: string | null;
  filter_properties?: { scheduler_hints?: Record<string, unknown> } | null;
}

const BUILD_EVENT = "compute__do_build_and_run_instance";

/**
 * nova-compute's manager: the RPC methods on `compute.<host>`, each run under the instance's lock, with instance
 * action events recorded, faults written and task states reverted on failure as Nova's decorators do
 * (wrap_instance_event, wrap_instance_fault, reverts_task_state). Every instance write goes through the
 * conductor as a conditional save (expected_task_state), except the final delete, which must win.
 */
export class ComputeManager {
  private readonly locks = new InstanceLocks();
  private readonly pending = new Set<Promise<unknown>>();
  /** The part of `pending` that came over RPC (builds, actions), which a stop must see through. */
  private readonly requested = new Set<Promise<unknown>>();

  /** Builds the manager; it serves nothing until its endpoint is given to an RPC server. */
  constructor(private readonly opts: ComputeManagerOptions) {}

  /** The RPC endpoint to serve (namespace none, version 6.1). */
  endpoint(): RpcEndpoint {
    const decode = (raw: unknown) => InstanceCodec.fromPrimitive(raw, "instance");
    const c = (ctx: RequestContext) => fromWireContext(ctx);
    return {
      version: COMPUTE_RPC_API_VERSION,
      methods: {
        build_and_run_instance: (ctx, args: BuildArgsWire) =>
          this.buildAndRunInstance(c(ctx), decode(args.instance), {
            image: args.image ?? {},
            node: args.node ?? null,
            injectedFiles: args.injected_files,
            adminPassword: args.admin_password ?? null,
            ...(args.filter_properties?.scheduler_hints
              ? { schedulerHints: args.filter_properties.scheduler_hints }
              : {}),
          }),
        terminate_instance: (ctx, args: { instance: unknown }) =>
          this.terminateInstance(c(ctx), decode(args.instance)),
        reboot_instance: (ctx, args: { instance: unknown; reboot_type?: string }) =>
          this.rebootInstance(c(ctx), decode(args.instance), args.reboot_type === "HARD" ? "HARD" : "SOFT"),
        stop_instance: (ctx, args: { instance: unknown; clean_shutdown?: boolean }) =>
          this.stopInstance(c(ctx), decode(args.instance), args.clean_shutdown !== false),
        start_instance: (ctx, args: { instance: unknown }) =>
          this.startInstance(c(ctx), decode(args.instance)),
        pause_instance: (ctx, args: { instance: unknown }) =>
          this.pauseInstance(c(ctx), decode(args.instance)),
        unpause_instance: (ctx, args: { instance: unknown }) =>
          this.unpauseInstance(c(ctx), decode(args.instance)),
        suspend_instance: (ctx, args: { instance: unknown }) =>
          this.suspendInstance(c(ctx), decode(args.instance)),
        resume_instance: (ctx, args: { instance: unknown }) =>
          this.resumeInstance(c(ctx), decode(args.instance)),
        get_console_output: (ctx, args: { instance: unknown; tail_length?: number | null }) =>
          this.getConsoleOutput(c(ctx), decode(args.instance), args.tail_length ?? null),
        ...lifecycleMethods(this),
      },
    };
  }

  // --- build -------------------------------------------------------------------------------------------------

  /**
   * Builds the guest and answers with its details (a call in nova-ts: the conductor records ACTIVE or tries an
   * alternate). Before spawning, the row is claimed for this host in one conditional save (vm_state building,
   * task_state spawning, host/node/launched_on; expected task_state scheduling or none), which also refuses a
   * build of an instance being deleted. The ACTIVE record is the conductor's (it should expect `spawning`).
   * Failures: RescheduledException when another host may succeed, BuildAbortException when none would,
   * InstanceNotFound / UnexpectedDeletingTaskStateError when the instance went away.
   */
  buildAndRunInstance(
    ctx: NovaContext,
    instance: Partial<Instance>,
    request: BuildRequest,
  ): Promise<BuiltGuest> {
    const uuid = requireUuid(instance);
    return this.track(this.locks.run(uuid, () => this.doBuild(ctx, instance, request)));
  }

  private async doBuild(
    ctx: NovaContext,
    instance: Partial<Instance>,
    request: BuildRequest,
  ): Promise<BuiltGuest> {
    const { host, driver, conductor, logger } = this.opts;
    const uuid = requireUuid(instance);
    const node = request.node || this.opts.defaultNode();
    // The event and the claim are independent writes: sent together, they cost one round trip, not two.
    const started = this.eventStart(ctx, uuid, BUILD_EVENT);
    try {
      let claimed: Partial<Instance>;
      try {
        claimed = await conductor.instanceSave(
          ctx,
          { ...instance, vm_state: "building", task_state: "spawning", host, node, launched_on: host },
          ["vm_state", "task_state", "host", "node", "launched_on"],
          { expectedTaskState: ["scheduling", null] },
        );
      } catch (err) {
        if (err instanceof UnexpectedTaskStateError && !(err instanceof UnexpectedDeletingTaskStateError)) {
          // Someone else moved the instance on (a repeated build): nothing for this host to do.
          throw new BuildAbortException({ instance_uuid: uuid, reason: err.message });
        }
        throw err;
      } finally {
        await started;
      }
      const ref = this.ref(claimed);
      let powerState: PowerStateValue;
      // Anything failing from here on (inputs, spawn, reading the new guest) releases the row and the guest.
      // The late group check, once the row names this host (as Nova's, after the claim). A refusal is a
      // reschedule by policy: no guest to clean up, and not a failed build for the BuildFailureWeigher.
      try {
        await validateInstanceGroupPolicy(conductor, ctx, host, uuid, request.schedulerHints);
      } catch (err) {
        const failure =
          err instanceof GroupAffinityViolation
            ? new RescheduledException({ instance_uuid: uuid, reason: err.message })
            : classifySpawnFailure(err, uuid);
        logger.warn({ instance_uuid: uuid, host, node, err: describe(err) }, "server group check failed");
        await this.releaseFailedBuild(ctx, claimed, failure);
        throw failure;
      }
      try {
        await driver.spawn({
          instance: toDriverInstance(claimed, this.opts.config.instance_name_template, ctx),
          imageMeta: toImageMeta(request.image),
          injectedFiles: decodeInjectedFiles(request.injectedFiles),
          ...(request.adminPassword ? { adminPassword: request.adminPassword } : {}),
        });
        powerState = await this.powerStateOf(ref);
      } catch (err) {
        const failure = classifySpawnFailure(err, uuid);
        logger.warn({ instance_uuid: uuid, host, node, err: describe(err) }, "spawn failed");
        this.opts.buildOutcomes?.buildFailed(node);
        await this.cleanupFailedBuild(ctx, claimed, ref, failure);
        throw failure;
      }
      const launchedAt = new Date(this.opts.clock.now());
      const built: BuiltGuest = {
        instance_uuid: uuid,
        host,
        node,
        power_state: powerState,
        vm_state: "active",
        launched_at: String(InstanceCodec.encodeFields({ launched_at: launchedAt }).launched_at),
      };
      this.opts.buildOutcomes?.buildSucceeded(node);
      logger.info({ instance_uuid: uuid, host, node }, "instance spawned");
      const active: Partial<Instance> = {
        ...claimed,
        vm_state: "active",
        task_state: null,
        power_state: powerState,
        launched_at: launchedAt,
      };
      // As Nova's compute, which saves ACTIVE before it tells the schedulers and before its instance event
      // ends: the answer (on which the conductor records ACTIVE) does not wait for those two, which are
      // tracked (settled() and a stop wait for them) and never fail the build.
      this.track(
        Promise.all([
          this.fanout("update_instance_info", () =>
            this.opts.scheduler.updateInstanceInfo(ctx, host, InstanceListCodec.toPrimitive([active])),
          ),
          this.eventFinish(ctx, uuid, BUILD_EVENT, null),
        ]),
      );
      return built;
    } catch (err) {
      await this.eventFinish(ctx, uuid, BUILD_EVENT, err);
      throw err;
    }
  }

  /** Removes what a failed spawn left on this host and gives the row back to the conductor (host cleared). */
  private async cleanupFailedBuild(
    ctx: NovaContext,
    claimed: Partial<Instance>,
    ref: InstanceRef,
    failure: Error,
  ): Promise<void> {
    const { driver, logger } = this.opts;
    try {
      await driver.destroy(ref);
    } catch (err) {
      logger.warn({ instance_uuid: ref.uuid, err: describe(err) }, "could not clean up the failed guest");
    }
    await this.releaseFailedBuild(ctx, claimed, failure);
  }

  /** Gives a failed build's row back to the conductor (host cleared, task_state scheduling). */
  private async releaseFailedBuild(
    ctx: NovaContext,
    claimed: Partial<Instance>,
    failure: Error,
  ): Promise<void> {
    const { conductor, logger } = this.opts;
    if (failure instanceof InstanceNotFound || failure instanceof UnexpectedDeletingTaskStateError) return;
    // As Nova's reschedule path: the instance is no longer on this host and waits for the next pick.
    try {
      await conductor.instanceSave(
        ctx,
        { ...claimed, host: null, node: null, launched_on: null, task_state: "scheduling" },
        ["host", "node", "launched_on", "task_state"],
        { expectedTaskState: ["spawning"] },
      );
    } catch (err) {
      logger.warn(
        { instance_uuid: claimed.uuid, err: describe(err) },
        "could not release the failed build's row",
      );
    }
  }

  // --- delete ------------------------------------------------------------------------------------------------

  /**
   * Deletes the guest and the instance: destroy on the hypervisor, save vm_state deleted (unconditionally, as
   * Nova: a delete must win), Instance.destroy through the conductor, then the schedulers' delete_instance_info.
   */
  terminateInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_terminate_instance", ACTION_STATES.terminate, (t) =>
          this.doTerminate(ctx, t),
        ),
      ),
    );
  }

  private async doTerminate(ctx: NovaContext, t: Tracked): Promise<void> {
    const uuid = requireUuid(t.current);
    const ref = this.ref(t.current);
    try {
      await this.driverCall(uuid, () => this.opts.driver.destroy(ref));
      t.current = await this.opts.conductor.instanceSave(
        ctx,
        {
          ...t.current,
          vm_state: "deleted",
          task_state: null,
          power_state: PowerState.NOSTATE,
          terminated_at: new Date(this.opts.clock.now()),
        },
        ["vm_state", "task_state", "power_state", "terminated_at"],
      );
      t.current = await this.opts.conductor.instanceDestroy(ctx, t.current);
    } catch (err) {
      if (err instanceof InstanceNotFound) {
        this.opts.logger.info({ instance_uuid: uuid }, "instance disappeared during terminate");
        return;
      }
      await this.setErrorState(ctx, t, []);
      throw err;
    }
    await this.fanout("delete_instance_info", () =>
      this.opts.scheduler.deleteInstanceInfo(ctx, this.opts.host, uuid),
    );
  }

  // --- power actions -----------------------------------------------------------------------------------------

  /**
   * Reboots SOFT or HARD as Nova: task_state rebooting(_hard) -> reboot_pending(_hard) -> reboot_started(_hard)
   * -> driver reboot -> power_state from the hypervisor, vm_state active, task_state none. A failed reboot of a
   * guest still running only records a fault; otherwise the instance goes to ERROR.
   */
  rebootInstance(ctx: NovaContext, instance: Partial<Instance>, rebootType: RebootType): Promise<void> {
    const uuid = requireUuid(instance);
    const states = rebootType === "SOFT" ? ACTION_STATES.rebootSoft : ACTION_STATES.rebootHard;
    const [, pending, started] = states.taskStates;
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_reboot_instance", states, async (t) => {
          checkActionState(t.current, states);
          const ref = this.ref(t.current);
          t.current = await this.opts.conductor.instanceSave(
            ctx,
            { ...t.current, task_state: pending ?? null, power_state: await this.powerStateOf(ref) },
            ["task_state", "power_state"],
            { expectedTaskState: [...states.taskStates] },
          );
          const newVmState = t.current.vm_state === "rescued" ? "rescued" : "active";
          t.current = await this.opts.conductor.instanceSave(
            ctx,
            { ...t.current, task_state: started ?? null },
            ["task_state"],
            { expectedTaskState: [pending ?? null] },
          );
          try {
            await this.driverCall(uuid, () => this.opts.driver.reboot(ref, rebootType));
          } catch (err) {
            const power = await this.powerStateOf(ref);
            if (power !== PowerState.RUNNING) {
              t.current = { ...t.current, power_state: power };
              await this.setErrorState(ctx, t, [started ?? null]);
              throw err;
            }
            this.opts.logger.warn(
              { instance_uuid: uuid, err: describe(err) },
              "reboot failed but instance is running",
            );
            await this.recordFault(ctx, t.current, err);
          }
          t.current = await this.opts.conductor.instanceSave(
            ctx,
            {
              ...t.current,
              power_state: await this.powerStateOf(ref),
              vm_state: newVmState,
              task_state: null,
            },
            ["power_state", "vm_state", "task_state"],
            { expectedTaskState: [started ?? null] },
          );
        }),
      ),
    );
  }

  /**
   * Powers the guest off (gracefully within shutdown_timeout when clean_shutdown, else at once), then
   * vm_state stopped with the hypervisor's power_state (SHUTDOWN), expecting task_state powering-off (or none
   * when the guest was already off, as Nova).
   */
  stopInstance(ctx: NovaContext, instance: Partial<Instance>, cleanShutdown: boolean): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_stop_instance", ACTION_STATES.stop, async (t) => {
          checkActionState(t.current, ACTION_STATES.stop);
          await this.powerOff(ctx, t, cleanShutdown, ["powering-off"]);
        }),
      ),
    );
  }

  /** Powers the guest on: vm_state active with the hypervisor's power_state, expecting powering-on. */
  startInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_start_instance", ACTION_STATES.start, async (t) => {
          checkActionState(t.current, ACTION_STATES.start);
          const ref = this.ref(t.current);
          await this.driverCall(uuid, () => this.opts.driver.powerOn(ref));
          // A SHELVED instance started by the conductor's unshelve drops its snapshot and shelve keys.
          const unshelved = unshelvedSystemMetadata(t.current);
          await this.finish(ctx, t, ref, "active", ["powering-on"], unshelved?.systemMetadata);
          if (unshelved?.imageId) await deleteShelvedImage(this, unshelved.imageId);
        }),
      ),
    );
  }

  /** Pauses the guest: vm_state paused, power_state PAUSED, expecting pausing. */
  pauseInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_pause_instance", ACTION_STATES.pause, async (t) => {
          checkActionState(t.current, ACTION_STATES.pause);
          const ref = this.ref(t.current);
          await this.driverCall(uuid, () => this.opts.driver.pause(ref));
          await this.finish(ctx, t, ref, "paused", ["pausing"]);
        }),
      ),
    );
  }

  /** Unpauses the guest: vm_state active, power_state RUNNING, expecting unpausing. */
  unpauseInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_unpause_instance", ACTION_STATES.unpause, async (t) => {
          checkActionState(t.current, ACTION_STATES.unpause);
          const ref = this.ref(t.current);
          await this.driverCall(uuid, () => this.opts.driver.unpause(ref));
          await this.finish(ctx, t, ref, "active", ["unpausing"]);
        }),
      ),
    );
  }

  /**
   * Suspends the guest (its memory saved to disk) as Nova's suspend_instance: the vm_state it left is kept in
   * system_metadata `old_vm_state` for the resume, then power_state from the hypervisor, vm_state suspended,
   * no task, expecting suspending. A failing driver leaves the vm_state as it was, with no task and a fault
   * recorded, as Nova's _error_out_instance_on_exception with instance_state.
   */
  suspendInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_suspend_instance", ACTION_STATES.suspend, async (t) => {
          checkActionState(t.current, ACTION_STATES.suspend);
          const ref = this.ref(t.current);
          const oldVmState = t.current.vm_state ?? "active";
          await this.driverCall(uuid, () => this.opts.driver.suspend(ref));
          const systemMetadata = t.current.system_metadata
            ? { ...t.current.system_metadata, old_vm_state: oldVmState }
            : undefined;
          await this.finish(ctx, t, ref, "suspended", ["suspending"], systemMetadata);
        }),
      ),
    );
  }

  /**
   * Resumes a suspended guest as Nova's resume_instance: vm_state back to the `old_vm_state` the suspend kept
   * (active when there is none, as Nova defaults), popped from system_metadata, expecting resuming.
   */
  resumeInstance(ctx: NovaContext, instance: Partial<Instance>): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(
      this.locks.run(uuid, () =>
        this.action(ctx, instance, "compute_resume_instance", ACTION_STATES.resume, async (t) => {
          checkActionState(t.current, ACTION_STATES.resume);
          const ref = this.ref(t.current);
          await this.driverCall(uuid, () => this.opts.driver.resume(ref));
          const { old_vm_state: oldVmState, ...rest } = t.current.system_metadata ?? {};
          const vmState = isVmState(oldVmState) ? oldVmState : "active";
          await this.finish(ctx, t, ref, vmState, ["resuming"], t.current.system_metadata ? rest : undefined);
        }),
      ),
    );
  }

  /** The guest's console log, its last `tailLength` lines when given (0 lines is empty, as Nova). */
  getConsoleOutput(
    ctx: NovaContext,
    instance: Partial<Instance>,
    tailLength: number | null,
  ): Promise<string> {
    const uuid = requireUuid(instance);
    return this.track(
      (async () => {
        try {
          const output = await this.driverCall(uuid, () =>
            this.opts.driver.getConsoleOutput(this.ref(instance)),
          );
          return tailLength === null ? output : tailLines(output, tailLength);
        } catch (err) {
          if (!(err instanceof InstanceNotFound)) await this.recordFault(ctx, instance, err);
          throw err;
        }
      })(),
    );
  }

  /**
   * Runs `fn` as an RPC action on the instance, as the methods above do (its lock, tracked for a stop, the event
   * started and finished, a fault on failure), for flows kept in their own modules (resize). With `states`, a
   * failure reverts the task state to none as those methods do; null leaves the task state to the flow.
   */
  runAction(
    ctx: NovaContext,
    instance: Partial<Instance>,
    eventName: string,
    states: ActionStates | null,
    fn: (t: Tracked) => Promise<void>,
  ): Promise<void> {
    const uuid = requireUuid(instance);
    return this.track(this.locks.run(uuid, () => this.action(ctx, instance, eventName, states, fn)));
  }

  // --- lifecycle events --------------------------------------------------------------------------------------

  /**
   * Runs `fn` under the instance's lock and tracks it, for work that does not come over RPC (the power state
   * sync of lifecycle events). Errors are logged, never thrown: the driver's event loop must not break.
   */
  runForInstance(uuid: string, what: string, fn: () => Promise<void>): void {
    void this.track(
      this.locks.run(uuid, fn).catch((err: unknown) => {
        this.opts.logger.warn({ instance_uuid: uuid, err: describe(err) }, `${what} failed`);
      }),
      false,
    );
  }

  /** Resolves once every operation started so far (RPC or lifecycle) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Resolves once every operation that came over RPC (and the work it left behind) has finished; lifecycle
   * syncs are not waited for. A stopping compute waits on this: a sync is advisory (the next periodic sync
   * redoes it), and one that asks a conductor that stopped first would hold the shutdown for a whole
   * rpc_response_timeout.
   */
  async drained(): Promise<void> {
    while (this.requested.size > 0) await Promise.allSettled([...this.requested]);
  }

  /** The guest's power state on the hypervisor; NOSTATE when it is not there (Nova's _get_power_state). */
  async powerStateOf(ref: InstanceRef): Promise<PowerStateValue> {
    try {
      return (await this.opts.driver.getInfo(ref)).state;
    } catch (err) {
      if (VirtError.isInstance(err) && err.code === "INSTANCE_NOT_FOUND") return PowerState.NOSTATE;
      throw fromDriverError(err, ref.uuid);
    }
  }

  /** The hypervisor reference of an instance (uuid and templated name). */
  ref(instance: Partial<Instance>): InstanceRef {
    return toInstanceRef(instance, this.opts.config.instance_name_template);
  }

  /**
   * Stops a guest and records it stopped (the stop action, and the lifecycle sync's stop of a guest that shut
   * itself down). Nova's power-off values: clean -> shutdown_timeout (or the image's os_shutdown_timeout)
   * with shutdown_retry_interval; not clean -> 0, 0.
   */
  async powerOff(
    ctx: NovaContext,
    t: Tracked,
    cleanShutdown: boolean,
    expected: readonly (Instance["task_state"] | null)[],
  ): Promise<void> {
    const ref = this.ref(t.current);
    const before = await this.powerStateOf(ref);
    const expectedTaskState = [...expected];
    const alreadyOff =
      before === PowerState.NOSTATE || before === PowerState.SHUTDOWN || before === PowerState.CRASHED;
    if (alreadyOff && !expectedTaskState.includes(null)) expectedTaskState.push(null);
    await this.powerOffGuest(t.current, cleanShutdown);
    await this.finish(ctx, t, ref, "stopped", expectedTaskState);
  }

  /**
   * Powers the guest off with Nova's values (_power_off_instance), saving nothing: clean -> shutdown_timeout
   * (or the image's os_shutdown_timeout) with shutdown_retry_interval; not clean -> 0, 0.
   */
  async powerOffGuest(instance: Partial<Instance>, cleanShutdown: boolean): Promise<void> {
    const ref = this.ref(instance);
    const { config } = this.opts;
    const imageTimeout = Number.parseInt(instance.system_metadata?.image_os_shutdown_timeout ?? "", 10);
    const timeoutSeconds = cleanShutdown
      ? Number.isFinite(imageTimeout)
        ? imageTimeout
        : config.shutdown_timeout
      : 0;
    const retryIntervalSeconds = cleanShutdown ? config.shutdown_retry_interval : 0;
    await this.driverCall(ref.uuid, () =>
      this.opts.driver.powerOff(ref, { timeoutSeconds, retryIntervalSeconds }),
    );
  }

  // --- for the lifecycle flows (rebuild-flow.ts, shelve-flow.ts, ...) ---------------------------------------

  /** What the manager was built with (driver, conductor, scheduler, config, clock, logger, images). */
  get deps(): ComputeManagerOptions {
    return this.opts;
  }

  /** Runs `fn` under the instance's lock and tracks it, with no event or revert (Nova's plain decorators). */
  runLocked<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    return this.track(this.locks.run(uuid, fn));
  }

  /** Destroys the guest and the instance as terminate_instance does, already holding the lock (reclaim). */
  async deleteHeld(ctx: NovaContext, t: Tracked): Promise<void> {
    await this.doTerminate(ctx, t);
  }

  // --- internals ---------------------------------------------------------------------------------------------

  /** The common end of a power action: hypervisor power_state, the new vm_state, no task, conditionally. */
  async finish(
    ctx: NovaContext,
    t: Tracked,
    ref: InstanceRef,
    vmState: NonNullable<Instance["vm_state"]>,
    expected: readonly (Instance["task_state"] | null)[],
    systemMetadata?: Record<string, string | null>,
  ): Promise<void> {
    const changes: Partial<Instance> = {
      power_state: await this.powerStateOf(ref),
      vm_state: vmState,
      task_state: null,
    };
    if (systemMetadata) changes.system_metadata = systemMetadata;
    t.current = await this.opts.conductor.instanceSave(
      ctx,
      { ...t.current, ...changes },
      Object.keys(changes) as (keyof Instance)[],
      { expectedTaskState: [...expected] },
    );
  }

  /**
   * Nova's decorator stack around an action: the event is started and finished (with the failure), a fault is
   * recorded for any failure but InstanceNotFound, and the task state is reverted to none unless the failure
   * says another operation owns the instance now (UnexpectedTaskStateError, InstanceInvalidState). Unlike
   * Nova's revert, ours is conditional on a task state this action owns.
   */
  private async action(
    ctx: NovaContext,
    instance: Partial<Instance>,
    eventName: string,
    states: ActionStates | null,
    fn: (t: Tracked) => Promise<void>,
  ): Promise<void> {
    const uuid = requireUuid(instance);
    const t: Tracked = { current: instance };
    await this.eventStart(ctx, uuid, eventName);
    try {
      await fn(t);
    } catch (err) {
      if (!(err instanceof InstanceNotFound)) await this.recordFault(ctx, t.current, err);
      await this.eventFinish(ctx, uuid, eventName, err);
      const preempted = err instanceof UnexpectedTaskStateError || err instanceof InstanceInvalidState;
      if (states && !preempted && !(err instanceof InstanceNotFound))
        await this.revertTaskState(ctx, t, states);
      throw err;
    }
    await this.eventFinish(ctx, uuid, eventName, null);
  }

  private async revertTaskState(ctx: NovaContext, t: Tracked, states: ActionStates): Promise<void> {
    try {
      t.current = await this.opts.conductor.instanceSave(
        ctx,
        { ...t.current, task_state: null },
        ["task_state"],
        {
          expectedTaskState: [...states.taskStates],
        },
      );
      this.opts.logger.info({ instance_uuid: t.current.uuid }, "reverted task state on failure");
    } catch (err) {
      if (err instanceof InstanceNotFound) return;
      this.opts.logger.warn(
        { instance_uuid: t.current.uuid, err: describe(err) },
        "could not revert task state",
      );
    }
  }

  /** vm_state ERROR (Nova's _set_instance_obj_error_state), conditional on `expected` when given. */
  async setErrorState(
    ctx: NovaContext,
    t: Tracked,
    expected: readonly (Instance["task_state"] | null)[],
  ): Promise<void> {
    try {
      t.current = await this.opts.conductor.instanceSave(
        ctx,
        { ...t.current, vm_state: "error" },
        t.current.power_state === undefined ? ["vm_state"] : ["vm_state", "power_state"],
        expected.length > 0 ? { expectedTaskState: [...expected] } : {},
      );
    } catch (err) {
      this.opts.logger.warn(
        { instance_uuid: t.current.uuid, err: describe(err) },
        "could not set ERROR state",
      );
    }
  }

  /** Records `error` as the instance's fault (Nova's add_instance_fault_from_exc); a failure here is only logged. */
  async recordFault(ctx: NovaContext, instance: Partial<Instance>, error: unknown): Promise<void> {
    const uuid = instance.uuid;
    if (!uuid) return;
    try {
      const fault = instanceFaultFromError(error, uuid, this.opts.host);
      this.opts.activity?.faultRecorded?.({ error, code: fault.code });
      await this.opts.conductor.instanceFaultCreate(ctx, fault);
    } catch (err) {
      this.opts.logger.warn(
        { instance_uuid: uuid, err: describe(err) },
        "could not record the instance fault",
      );
    }
  }

  // Events are the user's record of an action; failing to write one is logged, never fails the action.
  private async eventStart(ctx: NovaContext, uuid: string, eventName: string): Promise<void> {
    try {
      await this.opts.conductor.eventStart(ctx, uuid, eventName, this.opts.host);
    } catch (err) {
      this.opts.logger.warn(
        { instance_uuid: uuid, event: eventName, err: describe(err) },
        "event_start failed",
      );
    }
  }

  private async eventFinish(
    ctx: NovaContext,
    uuid: string,
    eventName: string,
    error: unknown,
  ): Promise<void> {
    const failure =
      error === null || error === undefined
        ? null
        : {
            message: error instanceof Error ? error.message : String(error),
            ...(error instanceof Error && error.stack ? { traceback: error.stack } : {}),
          };
    try {
      await this.opts.conductor.eventFinish(ctx, uuid, eventName, failure);
    } catch (err) {
      this.opts.logger.warn(
        { instance_uuid: uuid, event: eventName, err: describe(err) },
        "event_finish failed",
      );
    }
  }

  /** Sends a fanout to the schedulers; a lost one is logged, not the caller's failure. */
  async fanout(what: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      // The schedulers correct drift from the periodic sync; a lost fanout is not the caller's failure.
      this.opts.logger.warn({ err: describe(err) }, `${what} fanout failed`);
    }
  }

  /** Calls the driver for an instance, turning its failures into the errors the RPC callers expect. */
  async driverCall<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fromDriverError(err, uuid);
    }
  }

  private track<T>(p: Promise<T>, requested = true): Promise<T> {
    this.pending.add(p);
    if (requested) this.requested.add(p);
    const done = () => {
      this.pending.delete(p);
      this.requested.delete(p);
    };
    p.then(done, done);
    return p;
  }
}

function isVmState(value: string | null | undefined): value is NonNullable<Instance["vm_state"]> {
  return value !== null && value !== undefined && (VM_STATES as readonly string[]).includes(value);
}

function requireUuid(instance: Partial<Instance>): string {
  if (!instance.uuid) throw new TypeError("the instance has no uuid");
  return instance.uuid;
}

function tailLines(output: string, lines: number): string {
  const n = Math.trunc(lines);
  if (!(n > 0)) return "";
  return output.split("\n").slice(-n).join("\n");
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
