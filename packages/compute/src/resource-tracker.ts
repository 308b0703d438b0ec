import { randomUUID } from "node:crypto";
import { type Clock, type Logger, PeriodicTask } from "@nova/core";
import type { ComputeNode } from "@nova/objects";
import { adminContext, type ConductorObjectsAPI } from "@nova/rpcapi";
import type { AvailableResource, ComputeDriver } from "@nova/virt";
import type { BuildOutcomeSink } from "./compute-manager.js";
import { type ComputeConfig, resourceIntervalMs } from "./config.js";

/** What a ResourceTracker needs. */
export interface ResourceTrackerOptions {
  /** This compute's host name. */
  host: string;
  /** The driver whose resources are read. */
  driver: ComputeDriver;
  /** The conductor's object methods, for ComputeNode create and save. */
  conductor: ConductorObjectsAPI;
  /** The parsed options (intervals and allocation ratios). */
  config: ComputeConfig;
  /** The clock passes are timed on. */
  clock: Clock;
  /** Where failed passes are logged. */
  logger: Logger;
  /** The id of this host's nova-compute service row (the compute node's service_id). */
  serviceId: () => number | undefined;
}

/**
 * Usage fields the resource tracker never writes: in nova-ts the scheduler claims resources atomically when it
 * picks a host (and releases them on failure or delete), so it owns them. A compute writing what its driver
 * sees would undo claims in flight. Only a new node starts them at zero.
 */
export const USAGE_FIELDS = [
  "vcpus_used",
  "memory_mb_used",
  "local_gb_used",
  "free_ram_mb",
  "free_disk_gb",
  "running_vms",
  "current_workload",
] as const satisfies readonly (keyof ComputeNode)[];

// The fields a pass may change: capacity, hypervisor facts, ratios and the failed_builds stat.
const REPORTED_FIELDS = [
  "vcpus",
  "memory_mb",
  "local_gb",
  "hypervisor_type",
  "hypervisor_version",
  "hypervisor_hostname",
  "cpu_info",
  "disk_available_least",
  "host_ip",
  "supported_hv_specs",
  "cpu_allocation_ratio",
  "ram_allocation_ratio",
  "disk_allocation_ratio",
  "stats",
] as const satisfies readonly (keyof ComputeNode)[];

type ReportedField = (typeof REPORTED_FIELDS)[number];

/**
 * The compute node's record keeper (Nova's ResourceTracker, the reporting half): at start and every
 * update_resources_interval it reads the driver's resources for each node and creates the ComputeNode, or saves
 * the fields that changed, through the conductor. Allocation ratios follow Nova: a new node gets the
 * `initial_*_allocation_ratio`s; a `*_allocation_ratio` set in the configuration is applied on every pass.
 * Used amounts belong to the scheduler's claims (see USAGE_FIELDS).
 */
export class ResourceTracker implements BuildOutcomeSink {
  private readonly nodes = new Map<string, Partial<ComputeNode>>();
  private readonly failedBuilds = new Map<string, number>();
  private readonly task: PeriodicTask;
  private running = false;
  private passes = 0;

  /** Builds the tracker; nothing is read or reported before {@link ResourceTracker.start}. */
  constructor(private readonly opts: ResourceTrackerOptions) {
    this.task = new PeriodicTask(
      { name: "update_available_resource", spacingMs: resourceIntervalMs(opts.config) },
      () => this.runPass(),
      opts.clock,
      opts.logger,
    );
  }

  /** Reports once (awaited, as Nova does before serving RPC), then every interval. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.task.runNow();
    this.task.start();
  }

  /** Stops the periodic pass; resolves once a pass under way has finished. */
  async stop(): Promise<void> {
    this.running = false;
    await this.task.stop();
  }

  /** The compute nodes as last created or saved. */
  get computeNodes(): ReadonlyMap<string, Partial<ComputeNode>> {
    return this.nodes;
  }

  /** Passes completed (successful or not), for logs and tests. */
  get completedPasses(): number {
    return this.passes;
  }

  /** Nova's _build_succeeded: the node's consecutive failed builds start again from zero. */
  buildSucceeded(nodename: string): void {
    this.failedBuilds.set(nodename, 0);
  }

  /** Nova's _build_failed: one more failed build on the node (the BuildFailureWeigher reads it). */
  buildFailed(nodename: string): void {
    this.failedBuilds.set(nodename, (this.failedBuilds.get(nodename) ?? 0) + 1);
  }

  /** One pass over every node of the driver (Nova's update_available_resource). */
  async updateAvailableResource(): Promise<void> {
    const ctx = adminContext();
    const nodenames = await this.opts.driver.getAvailableNodes();
    for (const nodename of nodenames) {
      const resources = await this.opts.driver.getAvailableResource(nodename);
      await this.updateNode(ctx, nodename, resources);
    }
  }

  private runPass(): Promise<void> {
    return this.updateAvailableResource()
      .catch((err: unknown) => {
        this.opts.logger.warn(
          { host: this.opts.host, err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
          "resource tracker pass failed",
        );
      })
      .finally(() => {
        this.passes++;
      });
  }

  private async updateNode(
    ctx: ReturnType<typeof adminContext>,
    nodename: string,
    resources: AvailableResource,
  ): Promise<void> {
    const { conductor, host, logger } = this.opts;
    let node = this.nodes.get(nodename);
    if (!node) {
      const existing = await conductor.computeNodesGetAllByHost(ctx, host);
      node = existing.find((n) => n.hypervisor_hostname === nodename);
      if (node) this.nodes.set(nodename, node);
    }
    const reported = this.reported(resources, node);
    if (!node) {
      // A new node holds no guest yet, only what the host reserves for itself (Nova's resource tracker starts
      // every pass from the reserved amounts): the scheduler's claims add to these.
      const { reserved_host_cpus, reserved_host_memory_mb, reserved_host_disk_mb } = this.opts.config;
      // ComputeNode.local_gb_used is an integer field: Nova's MB / 1024 is truncated by it.
      const localGbUsed = Math.trunc(reserved_host_disk_mb / 1024);
      const created = await conductor.computeNodeCreate(ctx, {
        uuid: randomUUID(),
        host,
        ...(this.opts.serviceId() !== undefined ? { service_id: this.opts.serviceId() ?? null } : {}),
        ...reported,
        vcpus_used: reserved_host_cpus,
        memory_mb_used: reserved_host_memory_mb,
        local_gb_used: localGbUsed,
        free_ram_mb: resources.memoryMb - reserved_host_memory_mb,
        free_disk_gb: resources.localGb - localGbUsed,
        running_vms: 0,
        current_workload: 0,
        mapped: 0,
      });
      this.nodes.set(nodename, created);
      logger.info({ host, node: nodename, uuid: created.uuid }, "compute node record created");
      return;
    }
    const changes = REPORTED_FIELDS.filter((k) => !sameValue(node[k], reported[k]));
    if (changes.length === 0) return;
    const toSave: Partial<ComputeNode> = { ...node, ...reported };
    for (const k of USAGE_FIELDS) delete toSave[k];
    const saved = await conductor.computeNodeSave(ctx, toSave, changes);
    this.nodes.set(nodename, { ...node, ...saved });
    logger.info({ host, node: nodename, changes }, "compute node record updated");
  }

  /** The node's fields as this pass sees them. */
  private reported(
    r: AvailableResource,
    node: Partial<ComputeNode> | undefined,
  ): Pick<ComputeNode, ReportedField> {
    const { config } = this.opts;
    const ratio = (res: "cpu" | "ram" | "disk", current: number | undefined): number => {
      if (!node) return config[`initial_${res}_allocation_ratio`];
      const forced = config[`${res}_allocation_ratio`];
      // Nova: an unset ratio (or the legacy 0.0) leaves the node's own.
      if (forced !== null && forced !== 0) return forced;
      return current ?? config[`initial_${res}_allocation_ratio`];
    };
    const stats = {
      ...(node?.stats ?? {}),
      failed_builds: String(this.failedBuilds.get(r.hypervisorHostname) ?? 0),
    };
    return {
      vcpus: r.vcpus,
      memory_mb: r.memoryMb,
      local_gb: r.localGb,
      hypervisor_type: r.hypervisorType,
      hypervisor_version: r.hypervisorVersion,
      hypervisor_hostname: r.hypervisorHostname,
      cpu_info: r.cpuInfo,
      disk_available_least: r.diskAvailableLeast,
      host_ip: config.my_ip,
      supported_hv_specs: r.supportedInstances.map(([arch, hvType, vmMode]) => ({
        "nova_object.name": "HVSpec",
        "nova_object.namespace": "nova",
        "nova_object.version": "1.2",
        "nova_object.data": { arch, hv_type: hvType, vm_mode: vmMode },
      })),
      cpu_allocation_ratio: ratio("cpu", node?.cpu_allocation_ratio),
      ram_allocation_ratio: ratio("ram", node?.ram_allocation_ratio),
      disk_allocation_ratio: ratio("disk", node?.disk_allocation_ratio),
      stats,
    };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return stableJson(a) === stableJson(b);
  }
  return false;
}

// Key order differs between what we built and what the conductor sent back; compare by content.
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}
