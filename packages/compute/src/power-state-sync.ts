import type { Logger } from "@nova/core";
import type { Instance, PowerStateValue } from "@nova/objects";
import { adminContext, type ConductorObjectsAPI, InstanceNotFound } from "@nova/rpcapi";
import { type ComputeDriver, type LifecycleEvent, PowerState, powerStateAfter } from "@nova/virt";
import type { ComputeManager } from "./compute-manager.js";

/** What a PowerStateSync needs. */
export interface PowerStateSyncOptions {
  /** This compute's host name: instances of other hosts are left alone. */
  host: string;
  /** The driver whose lifecycle events and power states are followed. */
  driver: ComputeDriver;
  /** The conductor's object methods, for the instance reads and saves. */
  conductor: ConductorObjectsAPI;
  /** The manager, whose operations a sync waits for. */
  manager: ComputeManager;
  /** Where syncs are logged. */
  logger: Logger;
}

const OFF: readonly PowerStateValue[] = [PowerState.NOSTATE, PowerState.SHUTDOWN, PowerState.CRASHED];

/**
 * Keeps the database's power_state and vm_state in line with what the hypervisor reports, as Nova's
 * handle_lifecycle_event and _sync_instance_power_state: a stale event (the guest is no longer in the state
 * the event says) is ignored; an instance of another host or with a task under way is left alone; otherwise
 * power_state follows the hypervisor, and an ACTIVE guest that stopped (or suspended) by itself is recorded
 * stopped, as is a PAUSED one that shut down. Nova does those stops through the compute API (with an instance
 * action "stop"); here the compute writes them itself, conditionally on no task and the vm_state it saw.
 */
export class PowerStateSync {
  private unsubscribe: (() => void) | undefined;

  /** Builds the sync; it follows nothing before it starts. */
  constructor(private readonly opts: PowerStateSyncOptions) {}

  /** Starts listening to the driver's lifecycle events. */
  start(): void {
    this.unsubscribe ??= this.opts.driver.registerEventListener((event) => this.onEvent(event));
  }

  /** Stops listening (syncs under way finish; ComputeManager.settled waits for them). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(event: LifecycleEvent): void {
    this.opts.logger.info({ instance_uuid: event.uuid, transition: event.transition }, "VM lifecycle event");
    // Under the instance's lock: an event caused by an action is judged once that action has saved its state.
    this.opts.manager.runForInstance(event.uuid, "power state sync", () =>
      this.sync(event.uuid, powerStateAfter(event.transition)),
    );
  }

  /**
   * Nova's periodic _sync_power_states: every instance the database places on this host is aligned with the
   * power state its guest has now (catching events lost while the compute was down). Each runs under its lock.
   */
  async syncAll(): Promise<void> {
    const { conductor, manager, host } = this.opts;
    const instances = await conductor.instancesGetByHost(adminContext(), host);
    for (const instance of instances) {
      if (!instance.uuid || instance.deleted) continue;
      const uuid = instance.uuid;
      manager.runForInstance(uuid, "periodic power state sync", async () =>
        this.sync(uuid, await manager.powerStateOf(manager.ref(instance))),
      );
    }
    await manager.settled();
  }

  /** Aligns one instance with the hypervisor, given the power state an event (or a poll) reported. */
  async sync(uuid: string, eventPowerState: PowerStateValue): Promise<void> {
    const { conductor, manager, host, logger } = this.opts;
    const ctx = adminContext({ read_deleted: "yes" });
    let instance: Partial<Instance>;
    try {
      instance = await conductor.instanceGetByUuid(ctx, uuid);
    } catch (err) {
      if (err instanceof InstanceNotFound) return;
      throw err;
    }
    const ref = manager.ref(instance);
    const vmPower = await manager.powerStateOf(ref);
    // A crashed guest reports "stopped" too (libvirt does); Nova would leave it to its periodic sync.
    const matches =
      vmPower === eventPowerState ||
      (eventPowerState === PowerState.SHUTDOWN && vmPower === PowerState.CRASHED);
    if (!matches) {
      logger.debug(
        { instance_uuid: uuid, event: eventPowerState, now: vmPower },
        "stale lifecycle event ignored",
      );
      return;
    }
    if (instance.deleted || instance.host !== host) return;
    if (instance.task_state !== null && instance.task_state !== undefined) {
      logger.info(
        { instance_uuid: uuid, task_state: instance.task_state },
        "pending task; power state sync skipped",
      );
      return;
    }
    const vmState = instance.vm_state ?? null;
    const expect = { expectedTaskState: [null], ...(vmState ? { expectedVmState: [vmState] } : {}) };
    if (instance.power_state !== vmPower) {
      logger.info(
        { instance_uuid: uuid, db_power_state: instance.power_state, vm_power_state: vmPower },
        "DB power_state differs from the hypervisor's; updating the DB",
      );
      instance = await conductor.instanceSave(
        ctx,
        { ...instance, power_state: vmPower },
        ["power_state"],
        expect,
      );
    }
    const stopIt =
      (vmState === "active" && (vmPower === PowerState.SHUTDOWN || vmPower === PowerState.CRASHED)) ||
      (vmState === "active" && vmPower === PowerState.SUSPENDED) ||
      (vmState === "paused" && (vmPower === PowerState.SHUTDOWN || vmPower === PowerState.CRASHED)) ||
      (vmState === "stopped" && !OFF.includes(vmPower));
    if (vmState === "active" && vmPower === PowerState.PAUSED) {
      logger.warn({ instance_uuid: uuid }, "instance is paused unexpectedly; ignored");
    }
    if (!stopIt) return;
    logger.warn(
      { instance_uuid: uuid, vm_state: vmState, vm_power_state: vmPower },
      "instance shut down by itself; stopping it",
    );
    // The same conditional write the stop action makes, claimed first so no API action races it.
    const claimed = await conductor.instanceSave(
      ctx,
      { ...instance, task_state: "powering-off" },
      ["task_state"],
      expect,
    );
    const tracked = { current: claimed };
    try {
      // Nova's stop and force_stop both ask for a clean shutdown.
      await manager.powerOff(ctx, tracked, true, ["powering-off"]);
    } catch (err) {
      await conductor
        .instanceSave(ctx, { ...tracked.current, task_state: null }, ["task_state"], {
          expectedTaskState: ["powering-off"],
        })
        .catch(() => undefined);
      throw err;
    }
  }
}
