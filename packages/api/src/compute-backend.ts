import type { TaskState, VmState } from "./instance-states.js";
import type { RequestContext } from "./request-context.js";

/** A flavor as the backend stores it (Nova's Flavor object). */
export interface FlavorRecord {
  /** The API-visible flavor id (Nova's `flavorid`). */
  flavorId: string;
  name: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  /** Swap in MiB, 0 for none. */
  swap: number;
  rxtxFactor: number;
  isPublic: boolean;
  disabled: boolean;
  description: string | null;
  extraSpecs: Record<string, string>;
  createdAt: Date;
}

/** An image of the local catalog, shaped like a Glance v2 image (what Nova's image proxy reads). */
export interface ImageRecord {
  id: string;
  name: string | null;
  /** Glance status: `active`, `queued`, `saving`, `deleted`, `pending_delete`, `killed`. */
  status: string;
  minRam: number;
  minDisk: number;
  size: number | null;
  properties: Record<string, unknown>;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** A service row (Nova's Service object) with its liveness computed by the servicegroup driver. */
export interface ServiceRecord {
  id: number;
  uuid: string;
  binary: string;
  host: string;
  /** Availability zone (`internal` for non-compute services, as Nova shows). */
  zone: string;
  disabled: boolean;
  disabledReason: string | null;
  forcedDown: boolean;
  /** When the service last reported (`updated_at`, or `created_at` if it never did). */
  updatedAt: Date | null;
  /** Whether the servicegroup driver considers it up (heard from within `service_down_time`). */
  isUp: boolean;
}

/** One address of a server on a network. */
export interface ServerAddress {
  addr: string;
  version: 4 | 6;
  type: "fixed" | "floating";
  macAddr: string;
}

/** A fault recorded against an instance (shown while ERROR or DELETED). */
export interface InstanceFaultRecord {
  code: number;
  message: string;
  details: string | null;
  createdAt: Date;
}

/** A server (Nova's Instance object, as much of it as the API shows). */
export interface ServerRecord {
  uuid: string;
  /** `instance-%08x` of the database id (shown to admins as OS-EXT-SRV-ATTR:instance_name). */
  instanceName: string;
  name: string;
  description: string | null;
  hostname: string;
  projectId: string;
  userId: string;
  vmState: VmState;
  taskState: TaskState | null;
  /** nova.compute.power_state value (0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, ...). */
  powerState: number;
  /** The image id, or "" when booted from volume. */
  imageRef: string;
  /** The flavor as it was when the server was booted (Nova embeds it in the instance). */
  flavor: FlavorRecord;
  host: string | null;
  node: string | null;
  availabilityZone: string | null;
  keyName: string | null;
  metadata: Record<string, string>;
  accessIPv4: string | null;
  accessIPv6: string | null;
  configDrive: boolean;
  autoDiskConfig: boolean;
  progress: number;
  reservationId: string;
  launchIndex: number;
  userData: string | null;
  locked: boolean;
  tags: string[];
  securityGroups: string[];
  /** Network label -> addresses. */
  addresses: Record<string, ServerAddress[]>;
  fault: InstanceFaultRecord | null;
  /** Host status for admins from 2.16 (`UP`, `DOWN`, `MAINTENANCE`, `UNKNOWN`, or "" without a host). */
  hostStatus?: string;
  createdAt: Date;
  updatedAt: Date | null;
  launchedAt: Date | null;
  terminatedAt: Date | null;
  deleted: boolean;
}

/** What `POST /servers` asks the backend to build, validated and resolved by the API. */
export interface CreateServerSpec {
  name: string;
  description: string | null;
  /** Image id ("" only with block devices, which this API subset does not take). */
  imageRef: string;
  /** The flavor id (taken from `flavorRef`, which may be a URL). */
  flavorId: string;
  metadata: Record<string, string>;
  availabilityZone: string | null;
  keyName: string | null;
  userData: string | null;
  accessIPv4: string | null;
  accessIPv6: string | null;
  configDrive: boolean;
  autoDiskConfig: boolean;
  minCount: number;
  maxCount: number;
  securityGroups: string[];
  tags: string[];
  /** `auto`, `none`, or explicit network requests (network uuid / port / fixed ip). */
  networks: "auto" | "none" | { uuid?: string; port?: string; fixedIp?: string }[] | null;
  schedulerHints: Record<string, unknown>;
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
  vmStates?: VmState[];
  /** Matched together with vmStates; `null` inside means "no task". */
  taskStates?: (TaskState | null)[];
  flavorId?: string;
  imageRef?: string;
  reservationId?: string;
  host?: string;
  /** Only servers updated at or after this time; deleted ones included. */
  changesSince?: Date;
  /** Only servers updated at or before this time; deleted ones included. */
  changesBefore?: Date;
  /** Whether deleted servers are listed (false unless asked, or a changes-* filter is given). */
  deleted: boolean;
  /** Sort keys (Nova column names such as `created_at`, `display_name`) with directions. */
  sort: { key: string; dir: "asc" | "desc" }[];
  limit: number;
  /** The uuid of the last server of the previous page. */
  marker?: string;
}

/** A flavor list query. */
export interface FlavorQuery {
  /** true: public only; false: private only; null: both. */
  isPublic: boolean | null;
  /** When set, only flavors with this disabled value. */
  disabled?: boolean;
  minMemoryMb?: number;
  minRootGb?: number;
  sortKey: string;
  sortDir: "asc" | "desc";
  limit: number;
  marker?: string;
}

/** An image list query (Nova's image proxy filters). */
export interface ImageQuery {
  name?: string;
  status?: string;
  limit?: number;
  marker?: string;
}

/** A server action the API forwards. */
export type ServerAction =
  | { type: "reboot"; rebootType: "SOFT" | "HARD" }
  | { type: "stop" }
  | { type: "start" }
  | { type: "pause" }
  | { type: "unpause" };

/**
 * Everything nova-api needs from the rest of the cloud. The control plane implements it over the
 * databases and conductor RPC; `@nova/api/test` has an in-memory fake. Methods throw the typed errors
 * exported next to this interface (InstanceNotFoundError, InstanceInvalidStateError, ...); anything else
 * becomes a 500 computeFault.
 */
export interface ComputeBackend {
  /**
   * Records the build (min..max count) and starts it; returns the servers in BUILD (vm_state building).
   * Throws FlavorNotFoundError (unknown or disabled flavor), ImageNotFoundError, InvalidRequestError
   * (image not active, flavor too small for the image), QuotaExceededError.
   */
  createServers(ctx: RequestContext, spec: CreateServerSpec): Promise<ServerRecord[]>;
  /** Lists servers matching the query, sorted and paged; throws MarkerNotFoundError for an unknown marker. */
  listServers(ctx: RequestContext, query: ServerQuery): Promise<ServerRecord[]>;
  /** One server by uuid, whatever its project (the API applies visibility); InstanceNotFoundError if none or deleted. */
  getServer(ctx: RequestContext, uuid: string): Promise<ServerRecord>;
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
  listServices(ctx: RequestContext, filter: { host?: string; binary?: string }): Promise<ServiceRecord[]>;
}
