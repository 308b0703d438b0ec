import { type ChildProcess, spawn as spawnChild } from "node:child_process";
import { cpus, totalmem } from "node:os";
import {
  type AvailableResource,
  type ComputeDriver,
  type ComputeDriverContext,
  type DriverFlavor,
  type DriverInstance,
  type FinishMigrationRequest,
  HypervisorUnavailableError,
  InstanceExistsError,
  type InstanceInfo,
  InstanceInvalidStateError,
  InstanceNotFoundError,
  type InstanceRef,
  type LifecycleListener,
  LifecycleListeners,
  type LifecycleTransition,
  MAX_CONSOLE_BYTES,
  OperationNotSupportedError,
  PowerState,
  type RebootType,
  SpawnFailedError,
  type SpawnRequest,
} from "@nova/virt";

/** The guest every instance runs when nova.conf names no command: it says hello, then waits to be stopped. */
export const DEFAULT_GUEST_COMMAND: readonly string[] = [
  process.execPath,
  "-e",
  [
    "const name = process.env.NOVA_INSTANCE_NAME;",
    'console.log("Booting " + name + "...");',
    'console.log(name + " login:");',
    'process.on("SIGTERM", () => { console.log("Power down."); process.exit(0); });',
    "setInterval(() => {}, 1 << 30);",
  ].join(" "),
];

/** How the driver runs guests. */
export interface ProcessDriverOptions {
  /** The node reported as hypervisor_hostname (default: the host initHost is given). */
  readonly nodename?: string;
  /** nova.conf groups; `[process_driver] command` (a command line, split on spaces) runs each guest. */
  readonly config?: ComputeDriverContext["config"];
  /** The guest's argv (overrides the config); each guest gets NOVA_INSTANCE_UUID and NOVA_INSTANCE_NAME. */
  readonly command?: readonly string[];
  /** How long a guest has to exit after SIGTERM before it is killed (default 5000 ms). */
  readonly stopTimeoutMs?: number;
}

interface Guest {
  readonly ref: InstanceRef;
  readonly flavor: DriverFlavor;
  state: PowerState;
  console: string;
  child: ChildProcess | undefined;
}

/**
 * A compute driver whose guests are local processes it supervises: spawn starts the process, power off sends
 * SIGTERM (SIGKILL after `stopTimeoutMs`), pause and suspend SIGSTOP, unpause and resume SIGCONT, and the
 * console is the process's stdout and stderr. A guest that exits on its own is SHUTDOWN and reported as a
 * `stopped` lifecycle event, as a hypervisor reports a guest that powered itself off. Loadable from nova.conf:
 * `compute_driver = @nova-examples/process-driver#ProcessDriver`.
 */
export class ProcessDriver implements ComputeDriver {
  readonly #guests = new Map<string, Guest>();
  readonly #listeners = new LifecycleListeners();
  readonly #command: readonly string[];
  readonly #stopTimeoutMs: number;
  #nodename: string | undefined;

  /** A driver that starts nothing until spawn; `options` may be the ComputeDriverContext nova-compute passes. */
  constructor(options: ProcessDriverOptions = {}) {
    const configured = options.config?.process_driver?.command;
    this.#command =
      options.command ??
      (typeof configured === "string" && configured.trim() !== ""
        ? configured.trim().split(/\s+/)
        : DEFAULT_GUEST_COMMAND);
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.#nodename = options.nodename;
  }

  async initHost(host: string): Promise<void> {
    this.#nodename ??= host;
  }

  /** Stops every guest: they are this process's children and would not outlive it anyway. */
  async close(): Promise<void> {
    await Promise.all([...this.#guests.values()].map((g) => this.#stop(g, false)));
    this.#guests.clear();
  }

  async getAvailableNodes(): Promise<string[]> {
    return [this.#node()];
  }

  async spawn(request: SpawnRequest): Promise<void> {
    const { instance } = request;
    if (this.#guests.has(instance.uuid))
      throw new InstanceExistsError(instance.name, { instanceUuid: instance.uuid });
    const guest: Guest = {
      ref: { uuid: instance.uuid, name: instance.name },
      flavor: instance.flavor,
      state: PowerState.SHUTDOWN,
      console: "",
      child: undefined,
    };
    this.#guests.set(instance.uuid, guest);
    if (request.powerOn === false) return;
    try {
      await this.#start(guest);
    } catch (err) {
      this.#guests.delete(instance.uuid);
      throw new SpawnFailedError(instance.uuid, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
  }

  async destroy(instance: InstanceRef): Promise<void> {
    const guest = this.#guests.get(instance.uuid);
    if (!guest) return;
    this.#guests.delete(instance.uuid);
    await this.#stop(guest, true);
  }

  async reboot(instance: InstanceRef, type: RebootType): Promise<void> {
    const guest = this.#guest(instance);
    if (type === "SOFT" && guest.state === PowerState.RUNNING) this.#write(guest, "Rebooting.\n");
    await this.#stop(guest, true);
    await this.#start(guest);
  }

  async powerOff(instance: InstanceRef): Promise<void> {
    await this.#stop(this.#guest(instance), true);
  }

  async powerOn(instance: InstanceRef): Promise<void> {
    const guest = this.#guest(instance);
    if (guest.state === PowerState.RUNNING) return;
    if (guest.state === PowerState.PAUSED || guest.state === PowerState.SUSPENDED) {
      this.#signal(guest, "SIGCONT", PowerState.RUNNING, "resumed");
      return;
    }
    await this.#start(guest);
  }

  async pause(instance: InstanceRef): Promise<void> {
    const guest = this.#require(instance, [PowerState.RUNNING], "pause");
    this.#signal(guest, "SIGSTOP", PowerState.PAUSED, "paused");
  }

  async unpause(instance: InstanceRef): Promise<void> {
    const guest = this.#require(instance, [PowerState.PAUSED], "unpause");
    this.#signal(guest, "SIGCONT", PowerState.RUNNING, "resumed");
  }

  /** A stopped process keeps its memory: as close to a suspended guest as a process gets. */
  async suspend(instance: InstanceRef): Promise<void> {
    const guest = this.#require(instance, [PowerState.RUNNING, PowerState.PAUSED], "suspend");
    this.#signal(guest, "SIGSTOP", PowerState.SUSPENDED, "suspended");
  }

  async resume(instance: InstanceRef): Promise<void> {
    const guest = this.#require(instance, [PowerState.SUSPENDED], "resume");
    this.#signal(guest, "SIGCONT", PowerState.RUNNING, "resumed");
  }

  async getInfo(instance: InstanceRef): Promise<InstanceInfo> {
    const guest = this.#guest(instance);
    return {
      state: guest.state,
      vcpus: guest.flavor.vcpus,
      maxMemoryKb: guest.flavor.memoryMb * 1024,
      ...(guest.child?.pid !== undefined ? { internalId: String(guest.child.pid) } : {}),
    };
  }

  async instanceExists(instance: InstanceRef): Promise<boolean> {
    return this.#guests.has(instance.uuid);
  }

  async listInstances(): Promise<string[]> {
    return [...this.#guests.values()].map((g) => g.ref.name);
  }

  async listInstanceUuids(): Promise<string[]> {
    return [...this.#guests.keys()];
  }

  // A process cannot move between hosts: resize and cold migration are refused as Nova's drivers refuse
  // what they do not do (NotImplementedError), and the instance stays where it is.
  async prepResize(instance: DriverInstance): Promise<void> {
    throw new OperationNotSupportedError("ProcessDriver", "resize", { instanceUuid: instance.uuid });
  }

  async migrateDiskAndPowerOff(instance: DriverInstance): Promise<string> {
    throw new OperationNotSupportedError("ProcessDriver", "migrate", { instanceUuid: instance.uuid });
  }

  async finishMigration(request: FinishMigrationRequest): Promise<void> {
    throw new OperationNotSupportedError("ProcessDriver", "migrate", { instanceUuid: request.instance.uuid });
  }

  async confirmMigration(instance: DriverInstance): Promise<void> {
    throw new OperationNotSupportedError("ProcessDriver", "migrate", { instanceUuid: instance.uuid });
  }

  async finishRevertMigration(instance: DriverInstance): Promise<void> {
    throw new OperationNotSupportedError("ProcessDriver", "migrate", { instanceUuid: instance.uuid });
  }

  async getConsoleOutput(instance: InstanceRef): Promise<string> {
    return this.#guest(instance).console;
  }

  async getAvailableResource(nodename: string): Promise<AvailableResource> {
    if (nodename !== this.#node())
      throw new HypervisorUnavailableError(`node ${nodename} is not ${this.#node()}`);
    const flavors = [...this.#guests.values()].map((g) => g.flavor);
    const sum = (f: (x: DriverFlavor) => number) => flavors.reduce((n, x) => n + f(x), 0);
    return {
      vcpus: cpus().length,
      memoryMb: Math.floor(totalmem() / (1024 * 1024)),
      localGb: 100,
      vcpusUsed: sum((f) => f.vcpus),
      memoryMbUsed: sum((f) => f.memoryMb),
      localGbUsed: sum((f) => f.rootGb + f.ephemeralGb),
      hypervisorType: "process",
      hypervisorVersion: 1000,
      hypervisorHostname: this.#node(),
      cpuInfo: JSON.stringify({ arch: process.arch }),
      diskAvailableLeast: null,
      supportedInstances: [["x86_64", "process", "exe"]],
    };
  }

  registerEventListener(listener: LifecycleListener): () => void {
    return this.#listeners.add(listener);
  }

  // Starts the guest's process; resolves once it runs, rejects when it cannot be started.
  #start(guest: Guest): Promise<void> {
    const [file, ...args] = this.#command;
    const child = spawnChild(file!, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NOVA_INSTANCE_UUID: guest.ref.uuid, NOVA_INSTANCE_NAME: guest.ref.name },
    });
    child.stdout?.setEncoding("utf8").on("data", (text: string) => this.#write(guest, text));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => this.#write(guest, text));
    // Supervision (on close: the output is all in): an exit nobody asked for is the guest powering itself off.
    child.on("close", () => {
      if (guest.child !== child) return;
      guest.child = undefined;
      guest.state = PowerState.SHUTDOWN;
      this.#emit(guest, "stopped");
    });
    return new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => {
        child.off("error", reject);
        guest.child = child;
        guest.state = PowerState.RUNNING;
        this.#emit(guest, "started");
        resolve();
      });
    });
  }

  // Stops the guest's process (SIGTERM, then SIGKILL); `report` emits the stopped event.
  async #stop(guest: Guest, report: boolean): Promise<void> {
    const child = guest.child;
    const wasUp = guest.state !== PowerState.SHUTDOWN;
    guest.child = undefined;
    guest.state = PowerState.SHUTDOWN;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), this.#stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    if (report && wasUp) this.#emit(guest, "stopped");
  }

  #signal(guest: Guest, signal: NodeJS.Signals, state: PowerState, transition: LifecycleTransition): void {
    guest.child?.kill(signal);
    guest.state = state;
    this.#emit(guest, transition);
  }

  #write(guest: Guest, text: string): void {
    guest.console += text;
    if (guest.console.length > MAX_CONSOLE_BYTES) guest.console = guest.console.slice(-MAX_CONSOLE_BYTES);
  }

  #emit(guest: Guest, transition: LifecycleTransition): void {
    this.#listeners.emit({ uuid: guest.ref.uuid, transition, timestamp: Date.now() });
  }

  #guest(instance: InstanceRef): Guest {
    const guest = this.#guests.get(instance.uuid);
    if (!guest) throw new InstanceNotFoundError(instance.uuid);
    return guest;
  }

  #require(instance: InstanceRef, states: readonly PowerState[], method: string): Guest {
    const guest = this.#guest(instance);
    if (!states.includes(guest.state))
      throw new InstanceInvalidStateError(instance.uuid, guest.state, method);
    return guest;
  }

  #node(): string {
    return this.#nodename ?? "process-host";
  }
}
