import type { ServerRecord } from "./compute-backend.js";
import type { RequestContext } from "./request-context.js";

/** One recorded action on a server (Nova's InstanceAction): what `openstack server event list` shows. */
export interface InstanceActionRecord {
  /** Nova's action name (`create`, `reboot`, `suspend`, ...). */
  action: string;
  /** The server acted on. */
  instanceUuid: string;
  /** The API request that started it (the action's id in the API). */
  requestId: string;
  /** Who asked (null for actions the system started). */
  userId: string | null;
  /** Their project. */
  projectId: string | null;
  /** When it started. */
  startTime: Date;
  /** Nova's `message` (set by a few actions; usually null). */
  message: string | null;
  /** When the action or one of its events last changed (shown from 2.58). */
  updatedAt: Date | null;
}

/** One step of an action, recorded by the service that ran it (Nova's InstanceActionEvent). */
export interface InstanceActionEventRecord {
  /** The step (`compute__do_build_and_run_instance`, `compute_suspend_instance`, ...). */
  event: string;
  /** When it started. */
  startTime: Date;
  /** When it finished; null while it runs. */
  finishTime: Date | null;
  /** `Success`, `Error`, or null while it runs. */
  result: string | null;
  /** The failure's traceback, for an error. */
  traceback: string | null;
  /** The host it ran on. */
  host: string | null;
  /** What went wrong, in words a user may read (shown from 2.84). */
  details: string | null;
}

/** A page of a server's actions, newest first (Nova's actions_get with limit, marker and filters). */
export interface InstanceActionQuery {
  /** The most actions to return. */
  limit?: number;
  /** The request id of the last action of the previous page. */
  marker?: string;
  /** Only actions updated at or after this time (2.58). */
  changesSince?: Date;
  /** Only actions updated at or before this time (2.66). */
  changesBefore?: Date;
}

/** The two states os-resetState may set (`active` and `error`). */
export type ResetState = "active" | "error";

/**
 * The backend side of os-instance-actions and the admin state reset. Methods throw InstanceNotFoundError for
 * an unknown server and MarkerNotFoundError for a marker naming no action of the server.
 */
export interface InstanceActionBackend {
  /** One server by uuid, including a deleted one (whose actions stay visible from 2.21). */
  getServerIncludingDeleted(ctx: RequestContext, uuid: string): Promise<ServerRecord>;
  /** The server's actions, newest first (created_at, then id, descending), filtered and paged. */
  listInstanceActions(
    ctx: RequestContext,
    uuid: string,
    query: InstanceActionQuery,
  ): Promise<InstanceActionRecord[]>;
  /** One action of the server by request id, with its events newest first; null when there is none. */
  getInstanceAction(
    ctx: RequestContext,
    uuid: string,
    requestId: string,
  ): Promise<{ action: InstanceActionRecord; events: InstanceActionEventRecord[] } | null>;
  /**
   * Nova's os-resetState: records a `resetState` action, sets vm_state with no task (whatever the state
   * was) and finishes the action.
   */
  resetServerState(ctx: RequestContext, uuid: string, state: ResetState): Promise<void>;
}
