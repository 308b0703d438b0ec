import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "@nova/core";
import {
  DEFAULT_QUOTA_CLASS,
  hostZone,
  hostZones,
  type QuotaLimits,
  type QuotaRows,
  type QuotaSetResource,
  SERVER_ACTION_STATES,
  serverActionName,
} from "@nova/objects";
import type { AggregateRecord, AggregateUpdate } from "../aggregate-backend.js";
import { AggregateOperations } from "../aggregate-operations.js";
import type {
  ComputeBackend,
  CreateServerSpec,
  FlavorQuery,
  FlavorRecord,
  ImageQuery,
  ImageRecord,
  ServerAction,
  ServerQuery,
  ServerRecord,
  ServerRef,
  ServiceRecord,
} from "../compute-backend.js";
import { ConsoleNotAvailableError } from "../errors/console-not-available.js";
import {
  FlavorAccessExistsError,
  FlavorAccessNotFoundError,
  FlavorExistsError,
  FlavorExtraSpecNotFoundError,
  FlavorIdExistsError,
} from "../errors/flavor-errors.js";
import { FlavorNotFoundError } from "../errors/flavor-not-found.js";
import { HypervisorNotFoundError } from "../errors/hypervisor-not-found.js";
import { ImageNotFoundError } from "../errors/image-not-found.js";
import { InstanceNotFoundError } from "../errors/instance-not-found.js";
import { InstanceNotReadyError } from "../errors/instance-not-ready.js";
import { InvalidRequestError } from "../errors/invalid-request.js";
import { MarkerNotFoundError } from "../errors/marker-not-found.js";
import { ServiceNotFoundError } from "../errors/service-not-found.js";
import type { FlavorCreateSpec } from "../flavor-management-backend.js";
import {
  type HostServer,
  type HypervisorQuery,
  type HypervisorRecord,
  type HypervisorStatistics,
  type ServiceChanges,
  sumHypervisorStatistics,
} from "../host-records.js";
import type {
  InstanceActionEventRecord,
  InstanceActionQuery,
  InstanceActionRecord,
  ResetState,
} from "../instance-action-backend.js";
import { POWER_STATE, type TaskState, type VmState } from "../instance-states.js";
import type { CreatedKeyPair, KeyPairCreateSpec, KeyPairPage, KeyPairRecord } from "../key-pair-record.js";
import type { EvacuateSpec, LiveMigrateSpec, MigrationQuery, MigrationRecord } from "../migration-backend.js";
import type { QuotaUsageSet, UsageQuery, UsageServer } from "../quota-backend.js";
import type { RequestContext } from "../request-context.js";
import { checkServerAction } from "../server-action-rules.js";
import type { ServerGroupCreateSpec, ServerGroupQuery, ServerGroupRecord } from "../server-group-backend.js";
import type {
  RebuildSpec,
  ServerLifecycleAction,
  SnapshotSpec,
  UnshelveSpec,
} from "../server-lifecycle-backend.js";
import type { ServerTagAdd, ServerUpdate } from "../server-update-backend.js";
import {
  checkMetadataChange,
  lockedByFor,
  MAX_SERVER_TAGS,
  matchesTagFilters,
} from "../server-update-rules.js";
import { FakeAggregateStore } from "./fake-aggregates.js";
import { FakeKeyPairs } from "./fake-key-pairs.js";
import { FakeMigrations } from "./fake-migrations.js";
import { FakeQuotas } from "./fake-quotas.js";
import { FakeServerGroups } from "./fake-server-groups.js";

/** The id of the image every fake backend starts with (a CirrOS-like image). */
export const FAKE_IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b";

/** Builds a flavor record with Nova's defaults for the fields not given. */
export function makeFlavor(flavorId: string, name: string, fields: Partial<FlavorRecord> = {}): FlavorRecord {
  return {
    flavorId,
    name,
    memoryMb: 512,
    vcpus: 1,
    rootGb: 1,
    ephemeralGb: 0,
    swap: 0,
    rxtxFactor: 1,
    isPublic: true,
    disabled: false,
    description: null,
    extraSpecs: {},
    createdAt: new Date("2026-01-01T00:00:00Z"),
    ...fields,
  };
}

/** Nova's classic default flavors. */
export const DEFAULT_FLAVORS: readonly FlavorRecord[] = [
  makeFlavor("1", "m1.tiny", { memoryMb: 512, vcpus: 1, rootGb: 1 }),
  makeFlavor("2", "m1.small", { memoryMb: 2048, vcpus: 1, rootGb: 20 }),
  makeFlavor("3", "m1.medium", { memoryMb: 4096, vcpus: 2, rootGb: 40 }),
  makeFlavor("4", "m1.large", { memoryMb: 8192, vcpus: 4, rootGb: 80 }),
  makeFlavor("5", "m1.xlarge", { memoryMb: 16384, vcpus: 8, rootGb: 160 }),
];

/** Options of the fake backend. */
export interface FakeComputeBackendOptions {
  /** The clock for created/updated/launched times (default the system clock; tests pass a FakeClock). */
  clock?: Clock;
  /** The flavors it serves (default DEFAULT_FLAVORS). */
  flavors?: readonly FlavorRecord[];
  /** The images it serves (default one active image, FAKE_IMAGE_ID). */
  images?: readonly ImageRecord[];
  /** Compute hosts builds land on, round-robin (default one, `fake-host-1`). */
  hosts?: readonly string[];
  /** Finish every build and action on the next turn of the event loop instead of waiting for `settle`. */
  autoSettle?: boolean;
}

interface StoredServer {
  record: ServerRecord;
  /** Insertion order, the tie-breaker of every sort (Nova's DB id). */
  seq: number;
}

const SORT_FIELDS: Record<string, (s: ServerRecord) => string | number | null> = {
  created_at: (s) => s.createdAt.getTime(),
  updated_at: (s) => (s.updatedAt ?? s.createdAt).getTime(),
  launched_at: (s) => s.launchedAt?.getTime() ?? null,
  terminated_at: (s) => s.terminatedAt?.getTime() ?? null,
  display_name: (s) => s.name,
  display_description: (s) => s.description,
  uuid: (s) => s.uuid,
  vm_state: (s) => s.vmState,
  task_state: (s) => s.taskState,
  power_state: (s) => s.powerState,
  host: (s) => s.host,
  node: (s) => s.node,
  project_id: (s) => s.projectId,
  user_id: (s) => s.userId,
  image_ref: (s) => s.imageRef,
  key_name: (s) => s.keyName,
  hostname: (s) => s.hostname,
  availability_zone: (s) => s.availabilityZone,
  launch_index: (s) => s.launchIndex,
  progress: (s) => s.progress,
  locked: (s) => (s.locked ? 1 : 0),
};

// Instance columns of the regex filters, as the fake's records hold them.
const REGEX_FIELDS: Record<string, (s: ServerRecord) => string | number | null> = {
  node: (s) => s.node,
  hostname: (s) => s.hostname,
  key_name: (s) => s.keyName,
  availability_zone: (s) => s.availabilityZone,
  display_description: (s) => s.description,
  access_ip_v4: (s) => s.accessIPv4,
  access_ip_v6: (s) => s.accessIPv6,
  config_drive: (s) => (s.configDrive ? "True" : ""),
  launch_index: (s) => s.launchIndex,
  power_state: (s) => s.powerState,
  progress: (s) => s.progress,
  locked_by: (s) => s.lockedBy ?? null,
};

const FLAVOR_SORT_FIELDS: Record<string, (f: FlavorRecord) => string | number | boolean | null> = {
  flavorid: (f) => f.flavorId,
  id: (f) => f.flavorId,
  name: (f) => f.name,
  memory_mb: (f) => f.memoryMb,
  vcpus: (f) => f.vcpus,
  root_gb: (f) => f.rootGb,
  ephemeral_gb: (f) => f.ephemeralGb,
  swap: (f) => f.swap,
  rxtx_factor: (f) => f.rxtxFactor,
  is_public: (f) => f.isPublic,
  disabled: (f) => f.disabled,
  description: (f) => f.description,
  created_at: (f) => f.createdAt.getTime(),
  updated_at: (f) => f.createdAt.getTime(),
  vcpu_weight: () => 0,
};

// The state a pending task leads to when the (simulated) compute host finishes it.
const TASK_OUTCOME: Partial<
  Record<TaskState, { vmState: VmState; powerState: number; host?: null; node?: null }>
> = {
  rebooting: { vmState: "active", powerState: POWER_STATE.RUNNING },
  rebooting_hard: { vmState: "active", powerState: POWER_STATE.RUNNING },
  "powering-off": { vmState: "stopped", powerState: POWER_STATE.SHUTDOWN },
  "powering-on": { vmState: "active", powerState: POWER_STATE.RUNNING },
  pausing: { vmState: "paused", powerState: POWER_STATE.PAUSED },
  unpausing: { vmState: "active", powerState: POWER_STATE.RUNNING },
  suspending: { vmState: "suspended", powerState: POWER_STATE.SUSPENDED },
  resuming: { vmState: "active", powerState: POWER_STATE.RUNNING },
  // Rebuild, shelve (offloaded at once, Nova's default shelved_offload_time), rescue, soft delete.
  rebuilding: { vmState: "active", powerState: POWER_STATE.RUNNING },
  shelving: { vmState: "shelved_offloaded", powerState: POWER_STATE.SHUTDOWN, host: null, node: null },
  shelving_offloading: {
    vmState: "shelved_offloaded",
    powerState: POWER_STATE.SHUTDOWN,
    host: null,
    node: null,
  },
  rescuing: { vmState: "rescued", powerState: POWER_STATE.RUNNING },
  unrescuing: { vmState: "active", powerState: POWER_STATE.RUNNING },
  "soft-deleting": { vmState: "soft-delete", powerState: POWER_STATE.SHUTDOWN },
  restoring: { vmState: "active", powerState: POWER_STATE.RUNNING },
};

/**
 * An in-memory ComputeBackend for tests: builds and actions stay pending (BUILD, REBOOT, ...) until
 * `settle()` finishes them, or finish on their own with `autoSettle`; `failBuild` puts a server in ERROR.
 */
export class FakeComputeBackend implements ComputeBackend {
  /** Every backend call, in order, with the caller's context (for asserting request ids, projects). */
  readonly calls: { method: string; context: RequestContext }[] = [];
  /** Services `listServices` returns; tests may edit them. */
  readonly services: ServiceRecord[];
  /** One compute node per host (named after it), joined to the host's nova-compute service; tests may edit them. */
  readonly computeNodes: Omit<HypervisorRecord, "service">[];
  /** Key pairs by user; tests may set `keyPairs.limit`. */
  readonly keyPairs: FakeKeyPairs;
  /** Host aggregates (their zones set the compute services' and placed servers' zones). */
  readonly aggregates: FakeAggregateStore;
  private readonly aggregateOps: AggregateOperations;
  /** Server groups; tests may set `serverGroups.limit`. */
  readonly serverGroups = new FakeServerGroups();
  /** Quota limits (usage counted from the servers); tests may set `quotas.configured`. */
  readonly quotas: FakeQuotas;
  private readonly clock: Clock;
  private readonly flavors: FlavorRecord[];
  private readonly images: ImageRecord[];
  private readonly hosts: readonly string[];
  private readonly autoSettle: boolean;
  private readonly servers = new Map<string, StoredServer>();
  /** Console logs by server; `null` for a guest without a console. */
  private readonly consoles = new Map<string, string | null>();
  /** Recorded instance actions by server, oldest first. */
  private readonly actions = new Map<
    string,
    { action: InstanceActionRecord; events: InstanceActionEventRecord[] }[]
  >();
  private seq = 0;
  private nextHost = 0;

  /** An empty backend (no servers) serving the given flavors, images and hosts. */
  constructor(options: FakeComputeBackendOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.flavors = [...(options.flavors ?? DEFAULT_FLAVORS)];
    const now = new Date(this.clock.now());
    this.images = [
      ...(options.images ?? [
        {
          id: FAKE_IMAGE_ID,
          name: "cirros-0.6.2-x86_64-disk",
          status: "active",
          minRam: 0,
          minDisk: 0,
          size: 21430272,
          properties: {},
          createdAt: now,
          updatedAt: now,
        },
      ]),
    ];
    this.hosts = options.hosts ?? ["fake-host-1"];
    this.autoSettle = options.autoSettle ?? false;
    this.keyPairs = new FakeKeyPairs(this.clock);
    this.quotas = new FakeQuotas((projectId, userId) => this.countUsage(projectId, userId));
    this.services = [
      service(1, "nova-scheduler", "controller", "internal", now),
      service(2, "nova-conductor", "controller", "internal", now),
      ...this.hosts.map((host, i) => service(3 + i, "nova-compute", host, "nova", now)),
    ];
    this.computeNodes = this.hosts.map((host, i) => computeNode(i + 1, host));
    this.aggregates = new FakeAggregateStore(
      this.clock,
      () => this.services.filter((s) => s.binary === "nova-compute").map((s) => s.host),
      (hosts) =>
        [...this.servers.values()].filter(
          ({ record }) => !record.deleted && hosts.includes(record.host ?? ""),
        ).length,
    );
    this.aggregateOps = new AggregateOperations(this.aggregates);
  }

  // ---- quotas ------------------------------------------------------------------------------------

  /** A project's (or project user's) effective limits. */
  async getQuotaLimits(ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaLimits> {
    this.calls.push({ method: "getQuotaLimits", context: ctx });
    return this.quotas.limits(projectId, userId);
  }

  /** Limits with usage counted from the live servers. */
  async getQuotaUsage(ctx: RequestContext, projectId: string, userId: string | null): Promise<QuotaUsageSet> {
    this.calls.push({ method: "getQuotaUsage", context: ctx });
    return this.quotas.usage(projectId, userId);
  }

  /** The defaults (`[quota]` over the `default` class). */
  async getDefaultQuotas(ctx: RequestContext): Promise<QuotaLimits> {
    this.calls.push({ method: "getDefaultQuotas", context: ctx });
    return this.quotas.classLimits(DEFAULT_QUOTA_CLASS);
  }

  /** Sets limits (Nova's settable ranges unless forced). */
  async updateQuotas(
    ctx: RequestContext,
    projectId: string,
    userId: string | null,
    limits: QuotaRows,
    force: boolean,
  ): Promise<QuotaLimits> {
    this.calls.push({ method: "updateQuotas", context: ctx });
    return this.quotas.update(projectId, userId, limits, force);
  }

  /** Removes limits. */
  async deleteQuotas(ctx: RequestContext, projectId: string, userId: string | null): Promise<void> {
    this.calls.push({ method: "deleteQuotas", context: ctx });
    this.quotas.delete(projectId, userId);
  }

  /** A quota class's limits. */
  async getQuotaClass(ctx: RequestContext, className: string): Promise<QuotaLimits> {
    this.calls.push({ method: "getQuotaClass", context: ctx });
    return this.quotas.classLimits(className);
  }

  /** Sets a quota class's limits. */
  async updateQuotaClass(ctx: RequestContext, className: string, limits: QuotaRows): Promise<QuotaLimits> {
    this.calls.push({ method: "updateQuotaClass", context: ctx });
    return this.quotas.setClass(className, limits);
  }

  /** The metadata items quota of the caller's project and user. */
  async checkMetadataQuota(ctx: RequestContext, itemCount: number): Promise<void> {
    this.calls.push({ method: "checkMetadataQuota", context: ctx });
    this.quotas.checkMetadata(ctx.projectId, ctx.userId, itemCount);
  }

  /** Servers active in a usage window (deleted ones included), sorted by project and uuid. */
  async listUsageServers(ctx: RequestContext, query: UsageQuery): Promise<UsageServer[]> {
    this.calls.push({ method: "listUsageServers", context: ctx });
    let servers = [...this.servers.values()]
      .map((s) => s.record)
      .filter(
        (r) =>
          (r.terminatedAt === null || r.terminatedAt > query.start) &&
          r.launchedAt !== null &&
          r.launchedAt < query.end &&
          (query.projectId === null || r.projectId === query.projectId),
      )
      .sort((a, b) => (a.projectId + a.uuid < b.projectId + b.uuid ? -1 : 1));
    if (query.marker !== undefined) {
      const marker = this.servers.get(query.marker)?.record;
      if (!marker) throw new MarkerNotFoundError(query.marker);
      servers = servers.filter((r) => r.projectId + r.uuid > marker.projectId + marker.uuid);
    }
    return servers.slice(0, query.limit).map((r) => ({
      uuid: r.uuid,
      name: r.name,
      projectId: r.projectId,
      flavor: {
        name: r.flavor.name,
        memoryMb: r.flavor.memoryMb,
        vcpus: r.flavor.vcpus,
        rootGb: r.flavor.rootGb,
        ephemeralGb: r.flavor.ephemeralGb,
      },
      launchedAt: r.launchedAt,
      terminatedAt: r.terminatedAt,
      vmState: r.vmState,
    }));
  }

  // Instances, cores and RAM of the live servers (as Nova counts them), and key pairs of the user.
  private countUsage(projectId: string, userId?: string): Partial<Record<QuotaSetResource, number>> {
    const usage = { instances: 0, cores: 0, ram: 0 };
    for (const { record } of this.servers.values()) {
      if (record.deleted || record.projectId !== projectId) continue;
      if (userId !== undefined && record.userId !== userId) continue;
      usage.instances += 1;
      usage.cores += record.flavor.vcpus;
      usage.ram += record.flavor.memoryMb;
    }
    return usage;
  }

  /** Records the boot; servers settle to ACTIVE with `autoSettle`, or when a test says. */
  async createServers(ctx: RequestContext, spec: CreateServerSpec): Promise<ServerRecord[]> {
    this.calls.push({ method: "createServers", context: ctx });
    const flavor = this.flavors.find(
      (f) => f.flavorId === spec.flavorId && !f.disabled && this.flavorVisible(ctx, f),
    );
    if (!flavor) throw new FlavorNotFoundError(spec.flavorId);
    const image = this.images.find((i) => i.id === spec.imageRef);
    if (!image) throw new ImageNotFoundError(spec.imageRef);
    if (image.status !== "active") throw new InvalidRequestError(`Image ${image.id} is not active.`);
    if (flavor.memoryMb < image.minRam)
      throw new InvalidRequestError("Flavor's memory is too small for requested image.");
    if (flavor.rootGb > 0 && flavor.rootGb < image.minDisk) {
      throw new InvalidRequestError("Flavor's disk is too small for requested image.");
    }
    // Nova's compute API looks the key up as the caller's (KeypairNotFound, a 400 at the API).
    const keyPair = spec.keyName !== null ? this.keyPairs.get(ctx.userId, spec.keyName) : null;
    const count = this.quotas.checkBoot(ctx.projectId, ctx.userId, {
      vcpus: flavor.vcpus,
      memoryMb: flavor.memoryMb,
      minCount: spec.minCount,
      maxCount: spec.maxCount,
      metadataItems: Object.keys(spec.metadata).length,
    });
    const now = new Date(this.clock.now());
    const reservationId = `r-${randomUUID().slice(0, 8)}`;
    const created: ServerRecord[] = [];
    for (let index = 0; index < count; index++) {
      const seq = ++this.seq;
      const name = count > 1 ? `${spec.name}-${index + 1}` : spec.name;
      const record: ServerRecord = {
        uuid: randomUUID(),
        instanceName: `instance-${seq.toString(16).padStart(8, "0")}`,
        name,
        description: spec.description,
        hostname:
          spec.hostname ??
          name
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .slice(0, 63),
        projectId: ctx.projectId,
        userId: ctx.userId,
        vmState: "building",
        taskState: "scheduling",
        powerState: POWER_STATE.NOSTATE,
        imageRef: spec.imageRef,
        flavor: structuredClone(flavor),
        host: null,
        node: null,
        availabilityZone: spec.availabilityZone,
        keyName: keyPair?.name ?? null,
        metadata: { ...spec.metadata },
        accessIPv4: spec.accessIPv4,
        accessIPv6: spec.accessIPv6,
        configDrive: spec.configDrive,
        autoDiskConfig: spec.autoDiskConfig,
        progress: 0,
        reservationId,
        launchIndex: index,
        userData: spec.userData,
        locked: false,
        tags: [...spec.tags],
        securityGroups: spec.securityGroups.length > 0 ? [...spec.securityGroups] : ["default"],
        addresses: {},
        fault: null,
        hostStatus: "",
        createdAt: now,
        updatedAt: null,
        launchedAt: null,
        terminatedAt: null,
        deleted: false,
      };
      this.servers.set(record.uuid, { record, seq });
      this.recordAction(ctx, record.uuid, "create");
      created.push(structuredClone(record));
      this.schedule(record.uuid);
    }
    return created;
  }

  /** Filters, sorts and pages the servers in memory. */
  async listServers(ctx: RequestContext, query: ServerQuery): Promise<ServerRecord[]> {
    this.calls.push({ method: "listServers", context: ctx });
    const name = query.name !== undefined ? new RegExp(query.name, "i") : undefined;
    let list = [...this.servers.values()].filter(({ record: s }) => {
      if (!query.deleted && s.deleted) return false;
      if (query.projectId !== undefined && s.projectId !== query.projectId) return false;
      if (query.userId !== undefined && s.userId !== query.userId) return false;
      if (name && !name.test(s.name)) return false;
      if (query.vmStates && !query.vmStates.includes(s.vmState)) return false;
      if (query.taskStates && !query.taskStates.includes(s.taskState)) return false;
      if (query.flavorId !== undefined && s.flavor.flavorId !== query.flavorId) return false;
      if (query.imageRef !== undefined && s.imageRef !== query.imageRef) return false;
      if (query.reservationId !== undefined && s.reservationId !== query.reservationId) return false;
      if (query.host !== undefined && s.host !== query.host) return false;
      if (query.locked !== undefined && s.locked !== query.locked) return false;
      const changed = (s.updatedAt ?? s.createdAt).getTime();
      if (query.changesSince && changed < query.changesSince.getTime()) return false;
      if (query.changesBefore && changed > query.changesBefore.getTime()) return false;
      if (query.uuid !== undefined && s.uuid !== query.uuid) return false;
      if (query.vmState !== undefined && s.vmState !== query.vmState) return false;
      if (query.taskState !== undefined && s.taskState !== query.taskState) return false;
      for (const [column, pattern] of Object.entries(query.columnRegex ?? {})) {
        // A column the fake does not keep is NULL, which no pattern matches (as in SQL).
        const value = REGEX_FIELDS[column]?.(s);
        if (value === null || value === undefined || !new RegExp(pattern).test(String(value))) return false;
      }
      return matchesTagFilters(s.tags, query);
    });
    list.sort((a, b) => {
      for (const { key, dir } of query.sort) {
        const field = SORT_FIELDS[key];
        if (!field) continue;
        const order = compare(field(a.record), field(b.record));
        if (order !== 0) return dir === "asc" ? order : -order;
      }
      return b.seq - a.seq;
    });
    if (query.marker !== undefined) {
      const at = list.findIndex((s) => s.record.uuid === query.marker);
      if (at === -1) throw new MarkerNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    return list.slice(0, query.limit).map((s) => this.inHostZone(structuredClone(s.record)));
  }

  /** One server by id. */
  async getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord> {
    this.calls.push({ method: "getServer", context: ctx });
    const stored = this.servers.get(uuid);
    if (!stored || stored.record.deleted) throw new InstanceNotFoundError(uuid);
    return this.inHostZone(structuredClone(stored.record));
  }

  /** One server's owner and state, as an action checks them. */
  async findServer(ctx: RequestContext, uuid: string): Promise<ServerRef> {
    this.calls.push({ method: "findServer", context: ctx });
    const { projectId, userId, vmState, taskState, host } = await this.getServer(ctx, uuid);
    return { uuid, projectId, userId, vmState, taskState, host };
  }

  /** Deletes a server after Nova's action checks. */
  async deleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "deleteServer", context: ctx });
    const record = this.live(uuid);
    checkServerAction(record, { type: "delete" }, { isAdmin: ctx.isAdmin });
    this.recordAction(ctx, uuid, "delete");
    if (!record.host) {
      // Like Nova's local delete: a server that never reached a host is gone at once.
      this.markDeleted(record);
      return;
    }
    this.update(record, { taskState: "deleting" });
    this.schedule(uuid);
  }

  /** Applies an action's end state after Nova's action checks. */
  async serverAction(ctx: RequestContext, uuid: string, action: ServerAction): Promise<void> {
    this.calls.push({ method: `serverAction:${action.type}`, context: ctx });
    const record = this.live(uuid);
    checkServerAction(record, action, { isAdmin: ctx.isAdmin });
    this.recordAction(ctx, uuid, SERVER_ACTION_STATES[serverActionName(action)].action);
    this.update(record, { taskState: SERVER_ACTION_STATES[serverActionName(action)].task });
    this.schedule(uuid);
  }

  // Resize, cold migration and os-migrations (FakeMigrations), delegated in one block.
  /** The fake's migration records and move rules (tests finish moves through it). */
  readonly migrations = new FakeMigrations({
    live: (uuid) => this.live(uuid),
    flavor: (id) => this.flavors.find((f) => f.flavorId === id),
    update: (record, fields) => this.update(record, fields),
    recordAction: (ctx, uuid, action) => this.recordAction(ctx, uuid, action),
    now: () => new Date(this.clock.now()),
  });

  /** {@inheritDoc MigrationBackend.resizeServer} */
  resizeServer(ctx: RequestContext, uuid: string, flavorId: string): Promise<void> {
    this.calls.push({ method: "resizeServer", context: ctx });
    return this.migrations.resizeServer(ctx, uuid, flavorId);
  }

  /** {@inheritDoc MigrationBackend.liveMigrateServer} */
  liveMigrateServer(ctx: RequestContext, uuid: string, spec: LiveMigrateSpec): Promise<void> {
    this.calls.push({ method: "liveMigrateServer", context: ctx });
    return this.migrations.liveMigrateServer(ctx, uuid, spec);
  }

  /** {@inheritDoc MigrationBackend.evacuateServer} */
  evacuateServer(ctx: RequestContext, uuid: string, spec: EvacuateSpec): Promise<void> {
    this.calls.push({ method: "evacuateServer", context: ctx });
    return this.migrations.evacuateServer(ctx, uuid, spec);
  }

  /** {@inheritDoc MigrationBackend.forceCompleteLiveMigration} */
  forceCompleteLiveMigration(ctx: RequestContext, uuid: string, migrationId: number): Promise<void> {
    this.calls.push({ method: "forceCompleteLiveMigration", context: ctx });
    return this.migrations.forceCompleteLiveMigration(ctx, uuid, migrationId);
  }

  /** {@inheritDoc MigrationBackend.abortLiveMigration} */
  abortLiveMigration(
    ctx: RequestContext,
    uuid: string,
    migrationId: number,
    abortQueued: boolean,
  ): Promise<void> {
    this.calls.push({ method: "abortLiveMigration", context: ctx });
    return this.migrations.abortLiveMigration(ctx, uuid, migrationId, abortQueued);
  }

  /** {@inheritDoc MigrationBackend.migrateServer} */
  migrateServer(ctx: RequestContext, uuid: string, host: string | null): Promise<void> {
    this.calls.push({ method: "migrateServer", context: ctx });
    return this.migrations.migrateServer(ctx, uuid, host);
  }

  /** {@inheritDoc MigrationBackend.confirmResize} */
  confirmResize(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "confirmResize", context: ctx });
    return this.migrations.confirmResize(ctx, uuid);
  }

  /** {@inheritDoc MigrationBackend.revertResize} */
  revertResize(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "revertResize", context: ctx });
    return this.migrations.revertResize(ctx, uuid);
  }

  /** {@inheritDoc MigrationBackend.listMigrations} */
  listMigrations(ctx: RequestContext, query: MigrationQuery): Promise<MigrationRecord[]> {
    return this.migrations.listMigrations(ctx, query);
  }

  /** {@inheritDoc MigrationBackend.listServerMigrations} */
  listServerMigrations(ctx: RequestContext, uuid: string, migrationType: string): Promise<MigrationRecord[]> {
    return this.migrations.listServerMigrations(ctx, uuid, migrationType);
  }

  /** The console set for the server, tailed. */
  async getConsoleOutput(ctx: RequestContext, uuid: string, tailLength: number | null): Promise<string> {
    this.calls.push({ method: "getConsoleOutput", context: ctx });
    const record = this.live(uuid);
    if (!record.host) throw new InstanceNotReadyError(uuid);
    const stored = this.consoles.get(uuid);
    if (stored === null) throw new ConsoleNotAvailableError(uuid);
    const output = stored ?? "";
    if (tailLength === null) return output;
    return tailLength > 0 ? output.split("\n").slice(-tailLength).join("\n") : "";
  }

  /** Filters, sorts and pages the flavors. */
  async listFlavors(ctx: RequestContext, query: FlavorQuery): Promise<FlavorRecord[]> {
    this.calls.push({ method: "listFlavors", context: ctx });
    let list = this.flavors.filter(
      (f) =>
        this.flavorVisible(ctx, f) &&
        (query.isPublic === null ||
          f.isPublic === query.isPublic ||
          // Nova's flavor_get_all: the public list includes what is shared with the caller's project.
          (query.isPublic && this.sharedWith(f, ctx.projectId))) &&
        (query.disabled === undefined || f.disabled === query.disabled) &&
        (query.minMemoryMb === undefined || f.memoryMb >= query.minMemoryMb) &&
        (query.minRootGb === undefined || f.rootGb >= query.minRootGb),
    );
    const field = FLAVOR_SORT_FIELDS[query.sortKey] ?? FLAVOR_SORT_FIELDS.flavorid!;
    list.sort((a, b) => (query.sortDir === "asc" ? 1 : -1) * compare(field(a), field(b)));
    if (query.marker !== undefined) {
      const at = list.findIndex((f) => f.flavorId === query.marker);
      if (at === -1) throw new MarkerNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    return structuredClone(list.slice(0, query.limit));
  }

  /** One flavor by flavor id. */
  async getFlavor(ctx: RequestContext, flavorId: string): Promise<FlavorRecord> {
    this.calls.push({ method: "getFlavor", context: ctx });
    return structuredClone(this.visibleFlavor(ctx, flavorId));
  }

  // ---- flavor management (FlavorManagementBackend) ----------------------------------------------

  /** Projects each private flavor is shared with, by flavor id. */
  private readonly flavorAccess = new Map<string, string[]>();

  private sharedWith(flavor: FlavorRecord, projectId: string): boolean {
    return (this.flavorAccess.get(flavor.flavorId) ?? []).includes(projectId);
  }

  /** What Nova's non-admin flavor queries let through: public flavors and those shared with the project. */
  private flavorVisible(ctx: RequestContext, flavor: FlavorRecord): boolean {
    return ctx.isAdmin || flavor.isPublic || this.sharedWith(flavor, ctx.projectId);
  }

  private visibleFlavor(ctx: RequestContext, flavorId: string): FlavorRecord {
    const flavor = this.flavors.find((f) => f.flavorId === flavorId);
    if (!flavor || !this.flavorVisible(ctx, flavor)) throw new FlavorNotFoundError(flavorId);
    return flavor;
  }

  /** Records a flavor (duplicate flavor id checked before the name, as Nova reports). */
  async createFlavor(ctx: RequestContext, spec: FlavorCreateSpec): Promise<FlavorRecord> {
    this.calls.push({ method: "createFlavor", context: ctx });
    if (this.flavors.some((f) => f.flavorId === spec.flavorId)) throw new FlavorIdExistsError(spec.flavorId);
    if (this.flavors.some((f) => f.name === spec.name)) throw new FlavorExistsError(spec.name);
    const flavor = makeFlavor(spec.flavorId, spec.name, {
      memoryMb: spec.memoryMb,
      vcpus: spec.vcpus,
      rootGb: spec.rootGb,
      ephemeralGb: spec.ephemeralGb,
      swap: spec.swap,
      rxtxFactor: spec.rxtxFactor,
      isPublic: spec.isPublic,
      description: spec.description,
      createdAt: new Date(this.clock.now()),
    });
    this.flavors.push(flavor);
    return structuredClone(flavor);
  }

  /** Deletes a flavor. */
  async deleteFlavor(ctx: RequestContext, flavorId: string): Promise<void> {
    this.calls.push({ method: "deleteFlavor", context: ctx });
    const flavor = this.visibleFlavor(ctx, flavorId);
    this.flavors.splice(this.flavors.indexOf(flavor), 1);
    this.flavorAccess.delete(flavorId);
  }

  /** Sets a flavor's description. */
  async updateFlavorDescription(
    ctx: RequestContext,
    flavorId: string,
    description: string | null,
  ): Promise<FlavorRecord> {
    this.calls.push({ method: "updateFlavorDescription", context: ctx });
    const flavor = this.visibleFlavor(ctx, flavorId);
    flavor.description = description;
    return structuredClone(flavor);
  }

  /** Adds or replaces extra specs. */
  async setFlavorExtraSpecs(
    ctx: RequestContext,
    flavorId: string,
    specs: Record<string, string>,
  ): Promise<FlavorRecord> {
    this.calls.push({ method: "setFlavorExtraSpecs", context: ctx });
    const flavor = this.visibleFlavor(ctx, flavorId);
    flavor.extraSpecs = { ...flavor.extraSpecs, ...specs };
    return structuredClone(flavor);
  }

  /** Removes one extra spec. */
  async deleteFlavorExtraSpec(ctx: RequestContext, flavorId: string, key: string): Promise<void> {
    this.calls.push({ method: "deleteFlavorExtraSpec", context: ctx });
    const flavor = this.visibleFlavor(ctx, flavorId);
    if (!Object.hasOwn(flavor.extraSpecs, key)) throw new FlavorExtraSpecNotFoundError(flavorId, key);
    delete flavor.extraSpecs[key];
  }

  /** The projects a flavor is shared with. */
  async listFlavorAccess(ctx: RequestContext, flavorId: string): Promise<string[]> {
    this.calls.push({ method: "listFlavorAccess", context: ctx });
    this.visibleFlavor(ctx, flavorId);
    return [...(this.flavorAccess.get(flavorId) ?? [])];
  }

  /** Shares a flavor with a project. */
  async addFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    this.calls.push({ method: "addFlavorAccess", context: ctx });
    this.visibleFlavor(ctx, flavorId);
    const projects = this.flavorAccess.get(flavorId) ?? [];
    if (projects.includes(projectId)) throw new FlavorAccessExistsError(flavorId, projectId);
    projects.push(projectId);
    this.flavorAccess.set(flavorId, projects);
    return [...projects];
  }

  /** Stops sharing a flavor with a project. */
  async removeFlavorAccess(ctx: RequestContext, flavorId: string, projectId: string): Promise<string[]> {
    this.calls.push({ method: "removeFlavorAccess", context: ctx });
    this.visibleFlavor(ctx, flavorId);
    const projects = this.flavorAccess.get(flavorId) ?? [];
    if (!projects.includes(projectId)) throw new FlavorAccessNotFoundError(flavorId, projectId);
    const left = projects.filter((p) => p !== projectId);
    this.flavorAccess.set(flavorId, left);
    return [...left];
  }

  // ---- end of flavor management -------------------------------------------------------------------

  /** Filters and pages the images. */
  async listImages(ctx: RequestContext, query: ImageQuery): Promise<ImageRecord[]> {
    this.calls.push({ method: "listImages", context: ctx });
    let list = this.images.filter(
      (i) =>
        (query.name === undefined || i.name === query.name) &&
        (query.status === undefined || i.status === query.status),
    );
    if (query.marker !== undefined) {
      const at = list.findIndex((i) => i.id === query.marker);
      if (at === -1) throw new MarkerNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    return structuredClone(query.limit !== undefined ? list.slice(0, query.limit) : list);
  }

  /** One image by id. */
  async getImage(ctx: RequestContext, imageId: string): Promise<ImageRecord> {
    this.calls.push({ method: "getImage", context: ctx });
    const image = this.images.find((i) => i.id === imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    return structuredClone(image);
  }

  /** Fake services for each host. */
  async listServices(
    ctx: RequestContext,
    filter: { host?: string; binary?: string },
  ): Promise<ServiceRecord[]> {
    this.calls.push({ method: "listServices", context: ctx });
    return structuredClone(
      this.services
        .filter(
          (s) =>
            (filter.host === undefined || s.host === filter.host) &&
            (filter.binary === undefined || s.binary === filter.binary),
        )
        .map((s) => this.zoned(liveness(s))),
    );
  }

  /** Imports or generates a key pair (per-user quota: `keyPairs.limit`). */
  async createKeyPair(ctx: RequestContext, spec: KeyPairCreateSpec): Promise<CreatedKeyPair> {
    this.calls.push({ method: "createKeyPair", context: ctx });
    return this.keyPairs.create(spec);
  }

  /** A user's key pairs by name. */
  async listKeyPairs(ctx: RequestContext, userId: string, page: KeyPairPage): Promise<KeyPairRecord[]> {
    this.calls.push({ method: "listKeyPairs", context: ctx });
    return this.keyPairs.list(userId, page);
  }

  /** One key pair. */
  async getKeyPair(ctx: RequestContext, userId: string, name: string): Promise<KeyPairRecord> {
    this.calls.push({ method: "getKeyPair", context: ctx });
    return this.keyPairs.get(userId, name);
  }

  /** Deletes one key pair. */
  async deleteKeyPair(ctx: RequestContext, userId: string, name: string): Promise<void> {
    this.calls.push({ method: "deleteKeyPair", context: ctx });
    this.keyPairs.delete(userId, name);
  }
  // ---- server groups ----

  /** Creates a group (per-project quota: `serverGroups.limit`). */
  async createServerGroup(ctx: RequestContext, spec: ServerGroupCreateSpec): Promise<ServerGroupRecord> {
    this.calls.push({ method: "createServerGroup", context: ctx });
    return this.serverGroups.create(ctx, spec);
  }

  /** Groups, offset paged. */
  async listServerGroups(ctx: RequestContext, query: ServerGroupQuery): Promise<ServerGroupRecord[]> {
    this.calls.push({ method: "listServerGroups", context: ctx });
    return this.serverGroups.list(query);
  }

  /** One group. */
  async getServerGroup(ctx: RequestContext, uuid: string): Promise<ServerGroupRecord> {
    this.calls.push({ method: "getServerGroup", context: ctx });
    return this.serverGroups.get(uuid);
  }

  /** Deletes a group. */
  async deleteServerGroup(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "deleteServerGroup", context: ctx });
    this.serverGroups.delete(uuid);
  }

  // ---- instance actions and os-resetState (InstanceActionBackend) ----------------------------------

  /** One server by id, deleted ones included. */
  async getServerIncludingDeleted(ctx: RequestContext, uuid: string): Promise<ServerRecord> {
    this.calls.push({ method: "getServerIncludingDeleted", context: ctx });
    const stored = this.servers.get(uuid);
    if (!stored) throw new InstanceNotFoundError(uuid);
    return structuredClone(stored.record);
  }

  /** The server's recorded actions, newest first, filtered on updated_at and paged by request id. */
  async listInstanceActions(
    ctx: RequestContext,
    uuid: string,
    query: InstanceActionQuery,
  ): Promise<InstanceActionRecord[]> {
    this.calls.push({ method: "listInstanceActions", context: ctx });
    let list = (this.actions.get(uuid) ?? []).map((a) => a.action).reverse();
    if (query.marker !== undefined) {
      const at = list.findIndex((a) => a.requestId === query.marker);
      if (at === -1) throw new MarkerNotFoundError(query.marker);
      list = list.slice(at + 1);
    }
    list = list.filter((a) => {
      const changed = (a.updatedAt ?? a.startTime).getTime();
      if (query.changesSince && changed < query.changesSince.getTime()) return false;
      if (query.changesBefore && changed > query.changesBefore.getTime()) return false;
      return true;
    });
    return structuredClone(query.limit === undefined ? list : list.slice(0, query.limit));
  }

  /** One action with its events (newest first), or null. */
  async getInstanceAction(
    ctx: RequestContext,
    uuid: string,
    requestId: string,
  ): Promise<{ action: InstanceActionRecord; events: InstanceActionEventRecord[] } | null> {
    this.calls.push({ method: "getInstanceAction", context: ctx });
    const found = (this.actions.get(uuid) ?? []).find((a) => a.action.requestId === requestId);
    return found ? structuredClone({ action: found.action, events: [...found.events].reverse() }) : null;
  }

  /** Sets vm_state with no task, recorded as a `resetState` action. */
  async resetServerState(ctx: RequestContext, uuid: string, state: ResetState): Promise<void> {
    this.calls.push({ method: "resetServerState", context: ctx });
    const record = this.live(uuid);
    this.recordAction(ctx, uuid, "resetState");
    this.update(record, { vmState: state, taskState: null });
  }

  /** Adds an event to a recorded action (what a compute host would record), for tests. */
  addActionEvent(
    uuid: string,
    requestId: string,
    event: Partial<InstanceActionEventRecord> & { event: string },
  ): void {
    const found = (this.actions.get(uuid) ?? []).find((a) => a.action.requestId === requestId);
    if (!found) throw new Error(`no action of request ${requestId} on ${uuid}`);
    const now = new Date(this.clock.now());
    found.events.push({
      startTime: now,
      finishTime: null,
      result: null,
      traceback: null,
      host: null,
      details: null,
      ...event,
    });
    found.action.updatedAt = now;
  }

  private recordAction(ctx: RequestContext, uuid: string, action: string): void {
    const now = new Date(this.clock.now());
    const list = this.actions.get(uuid) ?? [];
    list.push({
      action: {
        action,
        instanceUuid: uuid,
        requestId: ctx.requestId,
        userId: ctx.userId,
        projectId: ctx.projectId,
        startTime: now,
        message: null,
        updatedAt: now,
      },
      events: [],
    });
    this.actions.set(uuid, list);
  }

  // ---- server update, metadata, tags, lock (ServerUpdateBackend) ----

  /** Applies a server update. */
  async updateServer(ctx: RequestContext, uuid: string, changes: ServerUpdate): Promise<ServerRecord> {
    this.calls.push({ method: "updateServer", context: ctx });
    const record = this.live(uuid);
    const fields: Partial<ServerRecord> = {};
    if (changes.name !== undefined) fields.name = changes.name;
    if (changes.description !== undefined) fields.description = changes.description;
    if (changes.hostname !== undefined) fields.hostname = changes.hostname;
    if (changes.accessIPv4 !== undefined) fields.accessIPv4 = changes.accessIPv4;
    if (changes.accessIPv6 !== undefined) fields.accessIPv6 = changes.accessIPv6;
    if (changes.autoDiskConfig !== undefined) fields.autoDiskConfig = changes.autoDiskConfig;
    this.update(record, fields);
    return structuredClone(record);
  }

  /** Merges or replaces metadata after Nova's lock and state checks. */
  async updateServerMetadata(
    ctx: RequestContext,
    uuid: string,
    metadata: Record<string, string>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    this.calls.push({ method: "updateServerMetadata", context: ctx });
    const record = this.live(uuid);
    checkMetadataChange(record, "update_instance_metadata", { isAdmin: ctx.isAdmin });
    this.update(record, { metadata: replace ? { ...metadata } : { ...record.metadata, ...metadata } });
    return { ...record.metadata };
  }

  /** Removes one metadata key after the same checks. */
  async deleteServerMetadataItem(ctx: RequestContext, uuid: string, key: string): Promise<boolean> {
    this.calls.push({ method: "deleteServerMetadataItem", context: ctx });
    const record = this.live(uuid);
    checkMetadataChange(record, "delete_instance_metadata", { isAdmin: ctx.isAdmin });
    if (!Object.hasOwn(record.metadata, key)) return false;
    const rest = { ...record.metadata };
    delete rest[key];
    this.update(record, { metadata: rest });
    return true;
  }

  /** Replaces the tags (sorted, once each, as the database lists them). */
  async replaceServerTags(ctx: RequestContext, uuid: string, tags: readonly string[]): Promise<string[]> {
    this.calls.push({ method: "replaceServerTags", context: ctx });
    const record = this.live(uuid);
    this.update(record, { tags: [...new Set(tags)].sort() });
    return [...record.tags];
  }

  /** Adds one tag unless present or at the limit. */
  async addServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<ServerTagAdd> {
    this.calls.push({ method: "addServerTag", context: ctx });
    const record = this.live(uuid);
    if (record.tags.includes(tag)) return "exists";
    if (record.tags.length >= MAX_SERVER_TAGS) return "full";
    this.update(record, { tags: [...record.tags, tag].sort() });
    return "added";
  }

  /** Removes one tag. */
  async deleteServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<boolean> {
    this.calls.push({ method: "deleteServerTag", context: ctx });
    const record = this.live(uuid);
    if (!record.tags.includes(tag)) return false;
    this.update(record, { tags: record.tags.filter((t) => t !== tag) });
    return true;
  }

  /** Removes every tag. */
  async deleteServerTags(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "deleteServerTags", context: ctx });
    this.update(this.live(uuid), { tags: [] });
  }

  /** Locks as Nova does: an owner's re-lock of a locked server is a no-op. */
  async lockServer(ctx: RequestContext, uuid: string, reason: string | null): Promise<void> {
    this.calls.push({ method: "lockServer", context: ctx });
    const record = this.live(uuid);
    const lockedBy = lockedByFor(record, ctx.projectId);
    if (record.locked && lockedBy === "owner") return;
    this.update(record, { locked: true, lockedBy, ...(reason ? { lockedReason: reason } : {}) });
  }

  /** Unlocks and forgets the reason. */
  async unlockServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.calls.push({ method: "unlockServer", context: ctx });
    this.update(this.live(uuid), { locked: false, lockedBy: null, lockedReason: null });
  }

  // --- rebuild, shelve, rescue, snapshots, soft delete (ServerLifecycleBackend) --------------------------

  /** Rebuild: the new image and fields at once, task rebuilding until settled. */
  async rebuildServer(ctx: RequestContext, uuid: string, spec: RebuildSpec): Promise<ServerRecord> {
    const record = this.lifecycleStart(ctx, uuid, "rebuild");
    if (!this.images.some((i) => i.id === spec.imageRef)) throw new ImageNotFoundError(spec.imageRef);
    this.update(record, {
      imageRef: spec.imageRef,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      ...(spec.metadata !== undefined ? { metadata: { ...spec.metadata } } : {}),
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.accessIPv4 !== undefined ? { accessIPv4: spec.accessIPv4 } : {}),
      ...(spec.accessIPv6 !== undefined ? { accessIPv6: spec.accessIPv6 } : {}),
      ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
    });
    this.schedule(uuid);
    return this.getServer(ctx, uuid);
  }

  /** Shelve: task shelving until settled (then SHELVED_OFFLOADED). */
  async shelveServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "shelve");
    this.schedule(uuid);
  }

  /** Shelve offload: task shelving_offloading until settled. */
  async shelveOffloadServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "shelveOffload");
    this.schedule(uuid);
  }

  /** Unshelve: ACTIVE on the first host at once. */
  async unshelveServer(ctx: RequestContext, uuid: string, spec: UnshelveSpec): Promise<void> {
    const record = this.lifecycleStart(ctx, uuid, "unshelve");
    const host = spec.host ?? record.host ?? this.hosts[0]!;
    if (!this.hosts.includes(host)) throw new InvalidRequestError(`Compute host ${host} could not be found.`);
    this.update(record, {
      vmState: "active",
      taskState: null,
      powerState: POWER_STATE.RUNNING,
      host,
      node: host,
    });
  }

  /** Rescue: task rescuing until settled. */
  async rescueServer(
    ctx: RequestContext,
    uuid: string,
    rescue: { adminPass: string; rescueImageRef: string | null },
  ): Promise<void> {
    if (rescue.rescueImageRef && !this.images.some((i) => i.id === rescue.rescueImageRef)) {
      throw new ImageNotFoundError(rescue.rescueImageRef);
    }
    this.lifecycleStart(ctx, uuid, "rescue");
    this.schedule(uuid);
  }

  /** Unrescue: task unrescuing until settled. */
  async unrescueServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "unrescue");
    this.schedule(uuid);
  }

  /** createImage: the snapshot is an active image at once. */
  async createServerImage(ctx: RequestContext, uuid: string, spec: SnapshotSpec): Promise<string> {
    const record = this.lifecycleStart(ctx, uuid, "createImage");
    this.update(record, { taskState: null });
    return this.addSnapshot(record, spec.name, { image_type: "snapshot", ...spec.metadata });
  }

  /** createBackup: an active backup image at once, the oldest beyond `rotation` removed. */
  async createServerBackup(
    ctx: RequestContext,
    uuid: string,
    spec: SnapshotSpec & { backupType: string; rotation: number },
  ): Promise<string> {
    const record = this.lifecycleStart(ctx, uuid, "createBackup");
    this.update(record, { taskState: null });
    const id = this.addSnapshot(record, spec.name, {
      image_type: "backup",
      backup_type: spec.backupType,
      ...spec.metadata,
    });
    const mine = this.images.filter(
      (i) => i.properties.instance_uuid === uuid && i.properties.backup_type === spec.backupType,
    );
    for (const old of mine.slice(0, Math.max(0, mine.length - spec.rotation))) {
      this.images.splice(this.images.indexOf(old), 1);
    }
    return id;
  }

  /** Soft delete: task soft-deleting until settled (then SOFT_DELETED). */
  async softDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "softDelete");
    this.schedule(uuid);
  }

  /** Restore: task restoring until settled. */
  async restoreServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "restore");
    this.schedule(uuid);
  }

  /** forceDelete: a delete whatever the state. */
  async forceDeleteServer(ctx: RequestContext, uuid: string): Promise<void> {
    this.lifecycleStart(ctx, uuid, "forceDelete");
    this.schedule(uuid);
  }

  private lifecycleStart(ctx: RequestContext, uuid: string, type: ServerLifecycleAction): ServerRecord {
    this.calls.push({ method: `lifecycle:${type}`, context: ctx });
    const record = this.live(uuid);
    const rule = SERVER_ACTION_STATES[serverActionName({ type })];
    checkServerAction(record, { type }, { isAdmin: ctx.isAdmin });
    this.recordAction(ctx, uuid, rule.action);
    this.update(record, { taskState: rule.task });
    return record;
  }

  private addSnapshot(record: ServerRecord, name: string, properties: Record<string, string>): string {
    const id = randomUUID();
    const now = new Date(this.clock.now());
    this.images.push({
      id,
      name,
      status: "active",
      minRam: 0,
      minDisk: record.flavor.rootGb,
      size: 0,
      properties: { instance_uuid: record.uuid, user_id: record.userId, ...properties },
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  /** Finishes pending builds, actions and deletes (of one server, or all): BUILD -> ACTIVE, REBOOT -> ACTIVE, ... */
  settle(uuid?: string): void {
    const targets =
      uuid !== undefined
        ? [this.servers.get(uuid)].filter((s) => s !== undefined)
        : [...this.servers.values()];
    for (const { record } of targets) {
      if (record.deleted) continue;
      if (record.taskState === "deleting") {
        this.markDeleted(record);
      } else if (record.vmState === "building") {
        const host = this.hosts[this.nextHost++ % this.hosts.length]!;
        const now = new Date(this.clock.now());
        this.update(record, {
          vmState: "active",
          taskState: null,
          powerState: POWER_STATE.RUNNING,
          host,
          node: host,
          hostStatus: "UP",
          // As Nova's conductor: the zone of the host's aggregate, else the default zone.
          availabilityZone: hostZone([...this.aggregates.byId.values()], host, "nova"),
          launchedAt: now,
          progress: 0,
          addresses: {
            private: [
              {
                addr: `10.0.0.${(this.seq % 250) + 2}`,
                version: 4,
                type: "fixed",
                macAddr: "fa:16:3e:00:00:01",
              },
            ],
          },
        });
      } else if (record.taskState !== null) {
        const outcome = TASK_OUTCOME[record.taskState];
        if (outcome) this.update(record, { ...outcome, taskState: null });
      }
    }
  }

  /** Puts a server in ERROR with an instance fault, as a failed build leaves it. */
  failBuild(uuid: string, message: string, code = 500): void {
    const record = this.live(uuid);
    this.update(record, {
      vmState: "error",
      taskState: null,
      fault: {
        code,
        message,
        details: code === 500 ? "Traceback: (simulated)" : null,
        createdAt: new Date(this.clock.now()),
      },
    });
  }

  /** Sets what the server's console log holds (`null`: the guest has no console). */
  setConsoleOutput(uuid: string, output: string | null): void {
    this.live(uuid);
    this.consoles.set(uuid, output);
  }

  /** Overwrites fields of a stored server (for tests that need a particular state). */
  setServer(uuid: string, fields: Partial<ServerRecord>): void {
    this.update(this.live(uuid), fields);
  }

  private live(uuid: string): ServerRecord {
    const stored = this.servers.get(uuid);
    if (!stored || stored.record.deleted) throw new InstanceNotFoundError(uuid);
    return stored.record;
  }

  private update(record: ServerRecord, fields: Partial<ServerRecord>): void {
    Object.assign(record, fields, { updatedAt: new Date(this.clock.now()) });
  }

  private markDeleted(record: ServerRecord): void {
    const now = new Date(this.clock.now());
    this.update(record, {
      vmState: "deleted",
      taskState: null,
      deleted: true,
      terminatedAt: now,
      powerState: POWER_STATE.NOSTATE,
    });
  }

  /** The compute nodes with their host's nova-compute service, by id; nodes without one are left out. */
  async listHypervisors(ctx: RequestContext, query: HypervisorQuery): Promise<HypervisorRecord[]> {
    this.calls.push({ method: "listHypervisors", context: ctx });
    let nodes = this.joinedNodes();
    if (query.hostnamePattern !== undefined) {
      const pattern = query.hostnamePattern.toLowerCase();
      nodes = nodes.filter((n) => (n.hypervisorHostname ?? "").toLowerCase().includes(pattern));
    }
    if (query.marker !== undefined) {
      const at = nodes.findIndex((n) => n.uuid === query.marker || String(n.id) === query.marker);
      if (at === -1) throw new MarkerNotFoundError(query.marker);
      nodes = nodes.slice(at + 1);
    }
    return structuredClone(query.limit !== undefined ? nodes.slice(0, query.limit) : nodes);
  }

  /** One compute node by id or uuid. */
  async getHypervisor(ctx: RequestContext, id: string): Promise<HypervisorRecord> {
    this.calls.push({ method: "getHypervisor", context: ctx });
    const node = this.joinedNodes().find((n) => n.uuid === id || String(n.id) === id);
    if (!node) throw new HypervisorNotFoundError(id);
    return structuredClone(node);
  }

  /** The live servers placed on a host. */
  async listHostServers(ctx: RequestContext, host: string): Promise<HostServer[]> {
    this.calls.push({ method: "listHostServers", context: ctx });
    return [...this.servers.values()]
      .filter(({ record }) => record.host === host && !record.deleted)
      .sort((a, b) => a.seq - b.seq)
      .map(({ record }) => ({ uuid: record.uuid, name: record.instanceName }));
  }

  // hypervisor uptime (HypervisorUptimeBackend)
  /** The uptime line tests set per host (`uptimes`); null (the driver cannot tell) for other hosts. */
  readonly uptimes = new Map<string, string>();

  /** A host's uptime line, as a libvirt compute would report `uptime`. */
  async hypervisorUptime(ctx: RequestContext, host: string): Promise<string | null> {
    this.calls.push({ method: "hypervisorUptime", context: ctx });
    return this.uptimes.get(host) ?? null;
  }

  /** Sums over the nodes of enabled nova-compute services. */
  async hypervisorStatistics(ctx: RequestContext): Promise<HypervisorStatistics> {
    this.calls.push({ method: "hypervisorStatistics", context: ctx });
    return sumHypervisorStatistics(this.joinedNodes().filter((n) => !n.service.disabled));
  }

  /** One service by id or uuid. */
  async getService(ctx: RequestContext, id: string): Promise<ServiceRecord> {
    this.calls.push({ method: "getService", context: ctx });
    return structuredClone(this.zoned(liveness(this.findService(id))));
  }

  /** Changes a service in place. */
  async updateService(ctx: RequestContext, id: string, changes: ServiceChanges): Promise<ServiceRecord> {
    this.calls.push({ method: "updateService", context: ctx });
    const found = this.findService(id);
    if (changes.disabled !== undefined) found.disabled = changes.disabled;
    if (changes.disabledReason !== undefined) found.disabledReason = changes.disabledReason;
    if (changes.forcedDown !== undefined) found.forcedDown = changes.forcedDown;
    found.updatedAt = new Date(this.clock.now());
    return structuredClone(this.zoned(liveness(found)));
  }

  /** Removes a service and, for a compute, its host's nodes. */
  async deleteService(ctx: RequestContext, id: string): Promise<void> {
    this.calls.push({ method: "deleteService", context: ctx });
    const found = this.findService(id);
    this.services.splice(this.services.indexOf(found), 1);
    if (found.binary === "nova-compute") {
      for (let i = this.computeNodes.length - 1; i >= 0; i--) {
        if (this.computeNodes[i]!.host === found.host) this.computeNodes.splice(i, 1);
      }
    }
  }

  // ---- host aggregates (AggregateBackend): Nova's rules over the in-memory store ----

  /** Every aggregate. */
  listAggregates(ctx: RequestContext): Promise<AggregateRecord[]> {
    this.calls.push({ method: "listAggregates", context: ctx });
    return this.aggregateOps.listAggregates(ctx);
  }

  /** One aggregate. */
  getAggregate(ctx: RequestContext, id: number): Promise<AggregateRecord> {
    this.calls.push({ method: "getAggregate", context: ctx });
    return this.aggregateOps.getAggregate(ctx, id);
  }

  /** Creates an aggregate. */
  createAggregate(ctx: RequestContext, name: string, zone: string | null): Promise<AggregateRecord> {
    this.calls.push({ method: "createAggregate", context: ctx });
    return this.aggregateOps.createAggregate(ctx, name, zone);
  }

  /** Renames and/or re-zones an aggregate. */
  updateAggregate(ctx: RequestContext, id: number, update: AggregateUpdate): Promise<AggregateRecord> {
    this.calls.push({ method: "updateAggregate", context: ctx });
    return this.aggregateOps.updateAggregate(ctx, id, update);
  }

  /** Sets metadata keys. */
  setAggregateMetadata(
    ctx: RequestContext,
    id: number,
    metadata: Record<string, string | null>,
  ): Promise<AggregateRecord> {
    this.calls.push({ method: "setAggregateMetadata", context: ctx });
    return this.aggregateOps.setAggregateMetadata(ctx, id, metadata);
  }

  /** Deletes an empty aggregate. */
  deleteAggregate(ctx: RequestContext, id: number): Promise<void> {
    this.calls.push({ method: "deleteAggregate", context: ctx });
    return this.aggregateOps.deleteAggregate(ctx, id);
  }

  /** Adds a compute host. */
  addAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    this.calls.push({ method: "addAggregateHost", context: ctx });
    return this.aggregateOps.addAggregateHost(ctx, id, host);
  }

  /** Removes a host. */
  removeAggregateHost(ctx: RequestContext, id: number, host: string): Promise<AggregateRecord> {
    this.calls.push({ method: "removeAggregateHost", context: ctx });
    return this.aggregateOps.removeAggregateHost(ctx, id, host);
  }

  // A placed server is shown in its host's zone as the aggregates say now (Nova's get_instance_availability_zone).
  private inHostZone(server: ServerRecord): ServerRecord {
    if (server.host)
      server.availabilityZone = hostZone([...this.aggregates.byId.values()], server.host, "nova");
    return server;
  }

  // A compute in a zoned aggregate shows that zone (Nova's set_availability_zones); others keep theirs.
  private zoned(s: ServiceRecord): ServiceRecord {
    if (s.binary !== "nova-compute") return s;
    const zones = hostZones([...this.aggregates.byId.values()], s.host);
    return zones.length > 0 ? { ...s, zone: zones.join(",") } : s;
  }

  private findService(id: string): ServiceRecord {
    const found = this.services.find((s) => s.uuid === id || String(s.id) === id);
    if (!found) throw new ServiceNotFoundError(id);
    return found;
  }

  private joinedNodes(): HypervisorRecord[] {
    const joined: HypervisorRecord[] = [];
    for (const node of [...this.computeNodes].sort((a, b) => a.id - b.id)) {
      const svc = this.services.find((s) => s.binary === "nova-compute" && s.host === node.host);
      if (svc) joined.push({ ...node, service: this.zoned(liveness(svc)) });
    }
    return joined;
  }

  private schedule(uuid: string): void {
    if (this.autoSettle) setImmediate(() => this.settle(uuid));
  }
}

function service(id: number, binary: string, host: string, zone: string, now: Date): ServiceRecord {
  return {
    id,
    uuid: randomUUID(),
    binary,
    host,
    zone,
    disabled: false,
    disabledReason: null,
    forcedDown: false,
    updatedAt: now,
    isUp: true,
  };
}

/** A forced-down service is down whatever its heartbeats say (Nova's servicegroup rule). */
function liveness(s: ServiceRecord): ServiceRecord {
  return { ...s, isUp: s.isUp && !s.forcedDown };
}

/** A fake node of 8 vCPUs, 16 GiB of RAM and 100 GiB of disk, named after its host. */
function computeNode(id: number, host: string): Omit<HypervisorRecord, "service"> {
  return {
    id,
    uuid: randomUUID(),
    hypervisorHostname: host,
    host,
    hypervisorType: "fake",
    hypervisorVersion: 1000,
    hostIp: "192.168.1.1",
    vcpus: 8,
    memoryMb: 16384,
    localGb: 100,
    vcpusUsed: 0,
    memoryMbUsed: 512,
    localGbUsed: 0,
    freeRamMb: 15872,
    freeDiskGb: 100,
    currentWorkload: 0,
    runningVms: 0,
    diskAvailableLeast: 100,
    cpuInfo: JSON.stringify({
      arch: "x86_64",
      model: "fake",
      vendor: "fake",
      topology: { sockets: 1, cores: 8, threads: 1 },
      features: [],
    }),
  };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  // Nulls first in ascending order, as MySQL sorts them.
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}
