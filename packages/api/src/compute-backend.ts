import type { ImageQuery, ImageRecord } from "@nova/objects";
import type { AggregateBackend } from "./aggregate-backend.js";
import type { FlavorManagementBackend } from "./flavor-management-backend.js";
import type {
  HostServer,
  HypervisorQuery,
  HypervisorRecord,
  HypervisorStatistics,
  ServiceChanges,
} from "./host-records.js";
import type { HypervisorUptimeBackend } from "./hypervisor-uptime-backend.js";
import type { InstanceActionBackend } from "./instance-action-backend.js";
import type { TaskState, VmState } from "./instance-states.js";
import type { CreatedKeyPair, KeyPairCreateSpec, KeyPairPage, KeyPairRecord } from "./key-pair-record.js";
import type { MigrationBackend } from "./migration-backend.js";
import type { QuotaBackend, UsageBackend } from "./quota-backend.js";
import type { RequestContext } from "./request-context.js";
import type { ServerGroupBackend } from "./server-group-backend.js";
import type { ServerLifecycleBackend } from "./server-lifecycle-backend.js";
import type { ServerUpdateBackend } from "./server-update-backend.js";

// The image shape is the spec layer's (the image catalogue stores the same records).
export type { ImageQuery, ImageRecord };

/** A flavor as the backend stores it (Nova's Flavor object). */
export interface FlavorRecord {
  /** The API-visible flavor id (Nova's `flavorid`). */
  flavorId: string;
  /** Display name (`m1.small`). */
  name: string;
  /** RAM in MiB. */
  memoryMb: number;
  /** Virtual CPUs. */
  vcpus: number;
  /** Root disk in GiB (0: the image's size). */
  rootGb: number;
  /** Ephemeral disk in GiB. */
  ephemeralGb: number;
  /** Swap in MiB, 0 for none. */
  swap: number;
  /** Nova's legacy network bandwidth factor (1.0 by default). */
  rxtxFactor: number;
  /** Whether every project may use it (false: only projects given access). */
  isPublic: boolean;
  /** A disabled flavor is hidden from non-admins and cannot be booted. */
  disabled: boolean;
  /** Free text shown from microversion 2.55. */
  description: string | null;
  /** Scheduler and driver hints (`hw:cpu_policy`, ...), shown from 2.61. */
  extraSpecs: Record<string, string>;
  /** When it was created. */
  createdAt: Date;
}

/** A service row (Nova's Service object) with its liveness computed by the servicegroup driver. */
export interface ServiceRecord {
  /** Database id (the `os-services` id before 2.53). */
  id: number;
  /** Service uuid (the `os-services` id from 2.53). */
  uuid: string;
  /** `nova-compute`, `nova-conductor`, `nova-scheduler`, ... */
  binary: string;
  /** The host it runs on. */
  host: string;
  /** Availability zone (`internal` for non-compute services, as Nova shows). */
  zone: string;
  /** Whether an operator disabled it (no new servers are scheduled to a disabled compute). */
  disabled: boolean;
  /** Why it was disabled, if said. */
  disabledReason: string | null;
  /** Set by an operator: counts as down whatever its heartbeats say (2.11). */
  forcedDown: boolean;
  /** When the service last reported (`updated_at`, or `created_at` if it never did). */
  updatedAt: Date | null;
  /** Whether the servicegroup driver considers it up (heard from within `service_down_time`). */
  isUp: boolean;
  /** In a cell that did not answer: only host and binary are known, from the host mapping (2.69). */
  cellDown?: boolean;
}

/** One address of a server on a network. */
export interface ServerAddress {
  /** The IP address. */
  addr: string;
  /** IP version. */
  version: 4 | 6;
  /** `fixed` (on the port) or `floating` (NATed to it). */
  type: "fixed" | "floating";
  /** MAC address of the port. */
  macAddr: string;
}

/** A fault recorded against an instance (shown while ERROR or DELETED). */
export interface InstanceFaultRecord {
  /** HTTP-like status of the failure (500 for an unexpected error). */
  code: number;
  /** What went wrong, for the server's owner. */
  message: string;
  /** The traceback, shown to admins only (and for non-500 codes). */
  details: string | null;
  /** When it was recorded. */
  createdAt: Date;
}

/** A server (Nova's Instance object, as much of it as the API shows). */
/** What an action checks of a server before acting: who owns it and where it stands. */
export type ServerRef = Pick<
  ServerRecord,
  "uuid" | "projectId" | "userId" | "vmState" | "taskState" | "host"
>;

/** A server as the API shows it. */
export interface ServerRecord {
  /** Server id. */
  uuid: string;
  /** `instance-%08x` of the database id (shown to admins as OS-EXT-SRV-ATTR:instance_name). */
  instanceName: string;
  /** Display name. */
  name: string;
  /** Description (from 2.19; before that the name). */
  description: string | null;
  /** Guest hostname derived from the name. */
  hostname: string;
  /** Owning project. */
  projectId: string;
  /** Creating user. */
  userId: string;
  /** Nova's vm_state (`active`, `building`, `stopped`, ...). */
  vmState: VmState;
  /** Nova's task_state while an operation runs, else null. */
  taskState: TaskState | null;
  /** nova.compute.power_state value (0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, ...). */
  powerState: number;
  /** The image id, or "" when booted from volume. */
  imageRef: string;
  /** The flavor as it was when the server was booted (Nova embeds it in the instance). */
  flavor: FlavorRecord;
  /** Compute host, null until scheduled. */
  host: string | null;
  /** Hypervisor node on the host, null until scheduled. */
  node: string | null;
  /** Availability zone, null until scheduled unless asked for. */
  availabilityZone: string | null;
  /** SSH key pair name, if any. */
  keyName: string | null;
  /** User metadata. */
  metadata: Record<string, string>;
  /** User-set IPv4 access address. */
  accessIPv4: string | null;
  /** User-set IPv6 access address. */
  accessIPv6: string | null;
  /** Whether the server has a config drive. */
  configDrive: boolean;
  /** `OS-DCF:diskConfig` AUTO (true) or MANUAL. */
  autoDiskConfig: boolean;
  /** Build or operation progress, 0-100. */
  progress: number;
  /** Reservation id shared by servers of one multiple-create request. */
  reservationId: string;
  /** Position within a multiple-create request. */
  launchIndex: number;
  /** Kernel image id (`OS-EXT-SRV-ATTR:kernel_id` from 2.3); absent or null shows as "". */
  kernelId?: string | null;
  /** Ramdisk image id (`OS-EXT-SRV-ATTR:ramdisk_id` from 2.3); absent or null shows as "". */
  ramdiskId?: string | null;
  /** The guest's root device (`/dev/vda`), set by the compute; null until then. */
  rootDeviceName?: string | null;
  /** Base64 user data, if given. */
  userData: string | null;
  /** Whether it is locked against changes by non-admins. */
  locked: boolean;
  /** Who locked it (Nova's `locked_by`: `owner` or `admin`), null or absent when unlocked. */
  lockedBy?: "owner" | "admin" | null;
  /** Why it was locked (2.73), null or absent when not said. */
  lockedReason?: string | null;
  /** Server tags. */
  tags: string[];
  /** Security group names. */
  securityGroups: string[];
  /** Network label -> addresses. */
  addresses: Record<string, ServerAddress[]>;
  /** The latest fault, shown while ERROR or DELETED. */
  fault: InstanceFaultRecord | null;
  /** The uuids of the server groups it is in (shown from 2.71); undefined when not read (lists). */
  serverGroups?: string[];
  /** Host status for admins from 2.16 (`UP`, `DOWN`, `MAINTENANCE`, `UNKNOWN`, or "" without a host). */
  hostStatus?: string;
  /** When it was created. */
  createdAt: Date;
  /** When it last changed. */
  updatedAt: Date | null;
  /** When it first became ACTIVE. */
  launchedAt: Date | null;
  /** When it was deleted. */
  terminatedAt: Date | null;
  /** Whether it is deleted (soft-deleted rows stay listed to admins). */
  deleted: boolean;
  /** In a cell that did not answer: only uuid, project and creation time are known (shown UNKNOWN from 2.69). */
  cellDown?: boolean;
}

/** What `POST /servers` asks the backend to build, validated and resolved by the API. */
export interface CreateServerSpec {
  /** Display name (trimmed). */
  name: string;
  /** Description, or the name before 2.19. */
  description: string | null;
  /** Image id ("" only with block devices, which this API subset does not take). */
  imageRef: string;
  /** The flavor id (taken from `flavorRef`, which may be a URL). */
  flavorId: string;
  /** User metadata. */
  metadata: Record<string, string>;
  /** Requested availability zone, if any (without Nova's `:host:node` forcing suffix). */
  availabilityZone: string | null;
  /** The guest hostname asked for (2.90); null derives it from the name. */
  hostname: string | null;
  /** Admin forcing through `zone:host`: the scheduler skips its filters for this host (`force_hosts`). */
  forcedHost: string | null;
  /** Admin forcing through `zone:host:node` or `zone::node` (`force_nodes`). */
  forcedNode: string | null;
  /** Admin's requested host (2.74): filtered as any other host (`requested_destination`). */
  requestedHost: string | null;
  /** Admin's requested hypervisor hostname (2.74). */
  requestedNode: string | null;
  /** SSH key pair to inject, if any. */
  keyName: string | null;
  /** Base64 user data, if any. */
  userData: string | null;
  /** User-set IPv4 access address. */
  accessIPv4: string | null;
  /** User-set IPv6 access address. */
  accessIPv6: string | null;
  /** Whether to attach a config drive. */
  configDrive: boolean;
  /** `OS-DCF:diskConfig` AUTO (true) or MANUAL. */
  autoDiskConfig: boolean;
  /** Build at least this many servers or none. */
  minCount: number;
  /** Build up to this many servers. */
  maxCount: number;
  /** Security group names (deduplicated). */
  securityGroups: string[];
  /** Server tags (2.52). */
  tags: string[];
  /** `auto`, `none`, or explicit network requests (network uuid / port / fixed ip). */
  networks: "auto" | "none" | { uuid?: string; port?: string; fixedIp?: string }[] | null;
  /** `os:scheduler_hints` as given (same_host, group, ...). */
  schedulerHints: Record<string, unknown>;
  /** The admin password to set, or null to generate none. */
  adminPass: string | null;
}

/** A server list query the backend applies (filtering, sorting and paging happen below the API). */
export interface ServerQuery {
  /** Only this project's servers; undefined means every project (admin with all_tenants). */
  projectId?: string;
  /** Admin filter on the owner (with all_tenants). */
  userId?: string;
  /** A regular expression (Python `re.search` semantics) matched against the name. */
  name?: string;
  /** Only servers in these vm_states (from the `status` filter). */
  vmStates?: VmState[];
  /** Matched together with vmStates; `null` inside means "no task". */
  taskStates?: (TaskState | null)[];
  /** Only servers of this flavor id. */
  flavorId?: string;
  /** Only servers booted from this image. */
  imageRef?: string;
  /** Only servers of this multiple-create request. */
  reservationId?: string;
  /** Only servers on this compute host (admin). */
  host?: string;
  /** Only locked (true) or unlocked (false) servers: the `locked` filter (2.73). */
  locked?: boolean;
  /** Only servers updated at or after this time; deleted ones included. */
  changesSince?: Date;
  /** Only servers updated at or before this time; deleted ones included. */
  changesBefore?: Date;
  /**
   * Python regular expressions searched in instance columns (Nova's regex filters: `node`, `hostname`,
   * `key_name`, `display_description`, `availability_zone`, `access_ip_v4`, `power_state`, ...).
   */
  columnRegex?: Record<string, string>;
  /** Only these server uuids (the admin `uuid` filter, matched exactly). */
  uuid?: string;
  /** Only servers with this vm_state (the `vm_state` filter, when no `status` is given). */
  vmState?: VmState;
  /** Only servers with this task_state (the `task_state` filter). */
  taskState?: TaskState;
  /** Only servers with every one of these tags (2.26 `tags`). */
  tags?: string[];
  /** Only servers with at least one of these tags (`tags-any`). */
  tagsAny?: string[];
  /** Only servers lacking at least one of these tags (`not-tags`). */
  notTags?: string[];
  /** Only servers with none of these tags (`not-tags-any`). */
  notTagsAny?: string[];
  /** Whether deleted servers are listed (false unless asked, or a changes-* filter is given). */
  deleted: boolean;
  /** Sort keys (Nova column names such as `created_at`, `display_name`) with directions. */
  sort: { key: string; dir: "asc" | "desc" }[];
  /** The most servers to return (at most `[api] max_limit`). */
  limit: number;
  /** The uuid of the last server of the previous page. */
  marker?: string;
  /** From 2.69: servers of cells that do not answer come back as minimal UNKNOWN records instead of left out. */
  cellDownSupport?: boolean;
}

/** A flavor list query. */
export interface FlavorQuery {
  /** true: public only; false: private only; null: both. */
  isPublic: boolean | null;
  /** When set, only flavors with this disabled value. */
  disabled?: boolean;
  /** Only flavors with at least this much RAM (MiB). */
  minMemoryMb?: number;
  /** Only flavors with at least this much root disk (GiB). */
  minRootGb?: number;
  /** Sort column (`flavorid`, `name`, `memory_mb`, ...). */
  sortKey: string;
  /** Sort direction. */
  sortDir: "asc" | "desc";
  /** The most flavors to return. */
  limit: number;
  /** The flavor id of the last flavor of the previous page. */
  marker?: string;
}

/** A server action the API forwards. */
export type ServerAction =
  | { type: "reboot"; rebootType: "SOFT" | "HARD" }
  | { type: "stop" }
  | { type: "start" }
  | { type: "pause" }
  | { type: "unpause" }
  | { type: "suspend" }
  | { type: "resume" };

/**
 * Everything nova-api needs from the rest of the cloud. The control plane implements it over the
 * databases and conductor RPC; `@nova/api/test` has an in-memory fake. Methods throw the typed errors
 * exported next to this interface (InstanceNotFoundError, InstanceInvalidStateError, ...); anything else
 * becomes a 500 computeFault.
 */
export interface ComputeBackend
  extends HypervisorUptimeBackend,
    AggregateBackend,
    ServerGroupBackend,
    InstanceActionBackend,
    FlavorManagementBackend,
    QuotaBackend,
    UsageBackend,
    ServerUpdateBackend,
    MigrationBackend,
    ServerLifecycleBackend {
  /**
   * Records the build (min..max count) and starts it; returns the servers in BUILD (vm_state building).
   * Throws FlavorNotFoundError (unknown or disabled flavor), ImageNotFoundError, InvalidRequestError
   * (image not active, flavor too small for the image), QuotaExceededError, KeyPairNotFoundError (the
   * caller has no key pair named `keyName`).
   */
  createServers(ctx: RequestContext, spec: CreateServerSpec): Promise<ServerRecord[]>;
  /** Lists servers matching the query, sorted and paged; throws MarkerNotFoundError for an unknown marker. */
  listServers(ctx: RequestContext, query: ServerQuery): Promise<ServerRecord[]>;
  /** One server by uuid, whatever its project (the API applies visibility); InstanceNotFoundError if none or deleted. */
  getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord>;
  /**
   * What an action checks of a server before it acts (owner, state, host), without what only a show needs
   * (tags, groups, fault, zone); InstanceNotFoundError as getServer.
   */
  findServer(ctx: RequestContext, uuid: string): Promise<ServerRef>;
  /** Deletes a server at any stage, including during a build (lock and state rules: `checkServerAction`). */
  deleteServer(ctx: RequestContext, uuid: string): Promise<void>;
  /** Starts an action; refuses with InstanceInvalidStateError etc. as `checkServerAction` decides. */
  serverAction(ctx: RequestContext, uuid: string, action: ServerAction): Promise<void>;
  /**
   * The guest's console log from its compute host, the last `tailLength` lines when not null (0 lines is
   * empty). Throws InstanceNotFoundError, InstanceNotReadyError (no host yet) and ConsoleNotAvailableError.
   */
  getConsoleOutput(ctx: RequestContext, uuid: string, tailLength: number | null): Promise<string>;
  /** Lists flavors, sorted and paged; MarkerNotFoundError for an unknown marker. */
  listFlavors(ctx: RequestContext, query: FlavorQuery): Promise<FlavorRecord[]>;
  /** One flavor by flavor id; FlavorNotFoundError if none. */
  getFlavor(ctx: RequestContext, flavorId: string): Promise<FlavorRecord>;
  /** Lists images of the catalog. */
  listImages(ctx: RequestContext, query: ImageQuery): Promise<ImageRecord[]>;
  /** One image; ImageNotFoundError if none. */
  getImage(ctx: RequestContext, imageId: string): Promise<ImageRecord>;
  /** Lists services (every cell), with liveness. */
  listServices(
    ctx: RequestContext,
    filter: { host?: string; binary?: string; cellDownSupport?: boolean },
  ): Promise<ServiceRecord[]>;
  /**
   * Imports or generates a key pair after the per-user `key_pairs` quota check. Throws QuotaExceededError,
   * InvalidKeyPairError (a key that does not parse) and KeyPairExistsError.
   */
  createKeyPair(ctx: RequestContext, spec: KeyPairCreateSpec): Promise<CreatedKeyPair>;
  /** A user's key pairs by name, paged; MarkerNotFoundError for an unknown marker. */
  listKeyPairs(ctx: RequestContext, userId: string, page: KeyPairPage): Promise<KeyPairRecord[]>;
  /** One of a user's key pairs; KeyPairNotFoundError if none. */
  getKeyPair(ctx: RequestContext, userId: string, name: string): Promise<KeyPairRecord>;
  /** Deletes one of a user's key pairs; KeyPairNotFoundError if none. */
  deleteKeyPair(ctx: RequestContext, userId: string, name: string): Promise<void>;
  /**
   * Compute nodes by id, each with its host's nova-compute service (nodes whose service is gone are left
   * out, as Nova leaves them out); MarkerNotFoundError for an unknown marker.
   */
  listHypervisors(ctx: RequestContext, query: HypervisorQuery): Promise<HypervisorRecord[]>;
  /** One compute node by database id (digits) or uuid, with its service; HypervisorNotFoundError if none. */
  getHypervisor(ctx: RequestContext, id: string): Promise<HypervisorRecord>;
  /** The live servers on a compute host (Nova's InstanceList.get_by_host). */
  listHostServers(ctx: RequestContext, host: string): Promise<HostServer[]>;
  /** Sums over the nodes of enabled nova-compute services (Nova's compute_node_statistics). */
  hypervisorStatistics(ctx: RequestContext): Promise<HypervisorStatistics>;
  /** One service by database id (digits) or uuid; ServiceNotFoundError if none. */
  getService(ctx: RequestContext, id: string): Promise<ServiceRecord>;
  /** Changes a service (by id or uuid) and returns it as it now is; ServiceNotFoundError if none. */
  updateService(ctx: RequestContext, id: string, changes: ServiceChanges): Promise<ServiceRecord>;
  /** Deletes a service (by id or uuid) with the compute nodes and host mapping of its host. */
  deleteService(ctx: RequestContext, id: string): Promise<void>;
}
