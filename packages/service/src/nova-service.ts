import { type Clock, errorMessage, type Logger } from "@nova/core";
import { MessagingTimeout, RpcServer, type RpcServerOptions, type Transport } from "@nova/messaging";
import {
  createDbDriver,
  type Membership,
  parseServiceGroupConfig,
  ServiceGroup,
  type ServiceGroupDriver,
  type ServiceKey,
} from "@nova/servicegroup";
import { ServiceLifecycleError } from "./service-lifecycle-error.js";
import type { ServiceManager, ServicePeriodicTask } from "./service-manager.js";
import type { RegisteredService, ServiceRegistry } from "./service-registry.js";

/** What a {@link NovaService} is made of. */
export interface NovaServiceOptions {
  /** `[DEFAULT] host`, the binary (`nova-compute`, ...) and the RPC topic it serves. */
  service: ServiceKey;
  /** The bus it serves on (the caller closes it after stop). */
  transport: Transport;
  /** What it runs: endpoints, periodic tasks, hooks. */
  manager: ServiceManager;
  /** Where its row lives and its heartbeats go; none keeps no row and sends no heartbeat (a test without a conductor). */
  registry?: ServiceRegistry | undefined;
  /**
   * `before-serving` (Nova's order, the default): the row is registered, retrying while the conductor does not
   * answer (Nova's `wait_until_ready`), before anything is served. `background`: serve at once and register when a
   * conductor answers (a scheduler needs no row to schedule).
   */
  registration?: "before-serving" | "background";
  /**
   * The servicegroup driver heartbeats go through (a plug-in named by `servicegroup_driver`), with the deadline
   * each of its calls gets; by default the `db` driver, whose reports go through `registry`. The row is
   * registered through `registry` either way, as Nova keeps service rows in the database whatever the driver.
   */
  serviceGroup?: { driver: ServiceGroupDriver; callTimeoutMs?: number | undefined } | undefined;
  /** `[DEFAULT] report_interval` (s); 0 registers the row but sends no heartbeat, as in Nova. */
  reportInterval: number;
  /** `[DEFAULT] service_down_time` (s). */
  serviceDownTime: number;
  /**
   * `[DEFAULT] graceful_shutdown_timeout` (s): how long stop() waits for work in flight before it stops the
   * periodic tasks and leaves the group anyway. 0 (the default) waits for ever.
   */
  gracefulShutdownTimeout?: number;
  /** Pause before retrying a background registration that failed other than by a timeout (default report_interval, at least 1 s). */
  registrationRetryDelayMs?: number;
  /** The RPC server's concurrency and lanes. */
  rpcServer?: Pick<RpcServerOptions, "maxConcurrency" | "lanes">;
  /** Time for heartbeats, retries and the shutdown timeout. */
  clock: Clock;
  /** Where the lifecycle logs start, heartbeat trouble and the drain. */
  logger: Logger;
}

type State = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * One Nova service process's life, as `nova/service.py`'s Service: start() runs the manager's init_host,
 * registers (or finds) the service row, runs pre_start_hook, serves `<topic>` and `<topic>.<host>` with the
 * manager's endpoints, runs post_start_hook, joins the service group (heartbeats every report_interval) and
 * starts the periodic tasks. stop() goes in Nova's order: stop consuming, drain what is in flight (within
 * graceful_shutdown_timeout), stop the periodic tasks, cleanup_host, leave the service group.
 */
export class NovaService {
  private state: State = "new";
  private server: RpcServer | undefined;
  private group: ServiceGroup;
  private membership: Membership | undefined;
  private periodic: readonly ServicePeriodicTask[] = [];
  private unwatchTransport: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly abort = new AbortController();

  /** A service that does nothing until `start()`: no connection, no service row, no timers. */
  constructor(private readonly opts: NovaServiceOptions) {
    this.group = new ServiceGroup({
      config: parseServiceGroupConfig(
        {
          report_interval: opts.reportInterval,
          service_down_time: opts.serviceDownTime,
        },
        opts.logger,
      ),
      driver:
        opts.serviceGroup?.driver ??
        createDbDriver({
          sender: opts.registry ?? {
            sendReport: () => Promise.reject(new ServiceLifecycleError("this service keeps no service row")),
          },
        }),
      driverCallTimeoutMs: opts.serviceGroup?.callTimeoutMs,
      clock: opts.clock,
      logger: opts.logger,
    });
  }

  /** host, binary and topic. */
  get service(): ServiceKey {
    return this.opts.service;
  }

  /** RPC requests accepted and not finished. */
  get inFlight(): number {
    return this.server?.inFlight ?? 0;
  }

  /** Heartbeat counters (reports sent, failed), once the service joined its group. */
  get heartbeatStats(): { reports: number; failures: number; disconnected: boolean } | undefined {
    return this.membership?.reporter.stats;
  }

  /** Brings the service up in Nova's order; a failure stops what was started and rejects. */
  async start(): Promise<void> {
    if (this.state !== "new")
      throw new ServiceLifecycleError(`${this.describe()} cannot start from state ${this.state}`);
    this.state = "starting";
    const { manager, transport, service, logger } = this.opts;
    const background = this.opts.registration === "background";
    try {
      await manager.initHost?.();
      this.stillStarting();
      const registry = this.opts.registry;
      const registered = background || !registry ? undefined : await this.registerUntilDone(registry, false);
      this.stillStarting();
      await manager.preStartHook?.();
      this.stillStarting();
      this.server = new RpcServer(
        transport,
        { topic: service.topic, server: service.host },
        manager.endpoints(),
        {
          logger,
          ...this.opts.rpcServer,
        },
      );
      await this.server.start();
      await manager.postStartHook?.();
      this.stillStarting();
      if (registered) this.join(registered);
      else if (registry) void this.registerUntilDone(registry, true).then((r) => r && this.join(r));
      // After a reconnect, report at once instead of waiting out the interval (the service shows up sooner).
      this.unwatchTransport = transport.driver.onStateChange((state) => {
        if (state === "connected") this.group.nudge();
      });
      this.periodic = manager.periodicTasks?.() ?? [];
      for (const task of this.periodic) task.start();
      this.state = "running";
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Stops in Nova's order: work that needs this server finishes, consuming stops and the accepted requests finish
   * and are answered, the manager's background work drains (all within graceful_shutdown_timeout), then the
   * periodic tasks stop, cleanup_host runs and the service leaves its group (its heartbeat stops last: it counts
   * as up until it stopped serving). The transport stays open.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    const { manager, logger } = this.opts;
    const wasRunning = this.state === "running";
    this.state = "stopping";
    this.abort.abort();
    const drain = async () => {
      if (wasRunning) await manager.drainWhileServing?.();
      await this.server?.stop();
      await manager.drain?.();
    };
    await this.withinGracefulTimeout(drain());
    await Promise.all(this.periodic.map((t) => t.stop()));
    await manager.cleanupHost?.();
    this.unwatchTransport?.();
    this.unwatchTransport = undefined;
    // A background registration's call under way is not waited for (the conductor may be gone too); it joins
    // nothing once stopped.
    await this.group.leaveAll();
    await this.opts.registry?.close?.();
    this.state = "stopped";
    logger.info({ host: this.opts.service.host }, `${this.opts.service.binary} stopped`);
  }

  private async withinGracefulTimeout(drain: Promise<void>): Promise<void> {
    const timeout = this.opts.gracefulShutdownTimeout ?? 0;
    if (timeout <= 0) return drain;
    const timer = new AbortController();
    const expired = this.opts.clock.sleep(timeout * 1000, timer.signal).then(
      () => true,
      () => false,
    );
    const timedOut = await Promise.race([drain.then(() => false), expired]);
    timer.abort();
    if (timedOut) {
      this.opts.logger.error(
        { host: this.opts.service.host, graceful_shutdown_timeout: timeout, in_flight: this.inFlight },
        "graceful shutdown timeout exceeded; stopping without finishing the work in flight",
      );
    }
  }

  private join(registered: RegisteredService): void {
    if (this.abort.signal.aborted) return;
    this.membership = this.group.join(this.opts.service, {
      initialReportCount: registered.reportCount,
      initialDelayMs: registered.reported ? this.opts.reportInterval * 1000 : 0,
    });
  }

  /**
   * Registers the row, retrying calls that time out (the conductor may not be up yet, and a call to a queue
   * nobody declared is lost) until it is done or the service stops. Other failures fail a start that registers
   * before serving; a background registration logs them and tries again after a pause.
   */
  private async registerUntilDone(
    registry: ServiceRegistry,
    background: boolean,
  ): Promise<RegisteredService | undefined> {
    const { service, logger, clock } = this.opts;
    for (let attempt = 1; ; attempt++) {
      try {
        const registered = await registry.register(service);
        logger.info({ host: service.host, binary: service.binary }, "service registered");
        return registered;
      } catch (err) {
        const timeout = MessagingTimeout.isInstance(err);
        if (this.abort.signal.aborted || (!timeout && !background)) {
          if (background) return undefined;
          throw err;
        }
        logger.warn(
          { host: service.host, binary: service.binary, attempt, err: errorMessage(err) },
          timeout
            ? "Timed out waiting for nova-conductor. Is it running? Or did this service start before nova-conductor? Reattempting establishment of nova-conductor connection..."
            : "Could not register the service; retrying",
        );
        if (!timeout) {
          const ms = this.opts.registrationRetryDelayMs ?? Math.max(1, this.opts.reportInterval) * 1000;
          await clock.sleep(ms, this.abort.signal).catch(() => undefined);
        }
      }
    }
  }

  // stop() during start() wins: what start() still had to do is not done.
  private stillStarting(): void {
    if (this.abort.signal.aborted)
      throw new ServiceLifecycleError(`${this.describe()} was stopped while starting`);
  }

  private describe(): string {
    return `${this.opts.service.binary} on ${this.opts.service.host}`;
  }
}
