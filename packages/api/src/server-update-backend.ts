import type { ServerRecord } from "./compute-backend.js";
import type { RequestContext } from "./request-context.js";

/** What `PUT /servers/{id}` changes; absent fields stay as they are. */
export interface ServerUpdate {
  /** New display name (trimmed as Nova's normalize_name does). */
  name?: string;
  /** New description (2.19; null removes it). */
  description?: string | null;
  /** New guest hostname (2.90). */
  hostname?: string;
  /** New IPv4 access address. */
  accessIPv4?: string;
  /** New IPv6 access address. */
  accessIPv6?: string;
  /** `OS-DCF:diskConfig` AUTO (true) or MANUAL. */
  autoDiskConfig?: boolean;
}

/** What adding one tag did: added, already there, or refused at the per-server limit (50). */
export type ServerTagAdd = "added" | "exists" | "full";

/**
 * Server changes that are not actions: update, metadata, tags and lock (Nova's compute API
 * update_instance, update/delete_instance_metadata, the Tag objects, lock and unlock). Methods throw
 * InstanceNotFoundError; metadata changes also InstanceIsLockedError and InstanceInvalidStateError.
 */
export interface ServerUpdateBackend {
  /** Saves the changes (a build request while not yet in a cell) and returns the server as it now is. */
  updateServer(ctx: RequestContext, uuid: string, changes: ServerUpdate): Promise<ServerRecord>;
  /**
   * Merges `metadata` into the server's (or, with `replace`, makes it the whole metadata) after Nova's lock
   * and state checks (`checkMetadataChange`); returns the metadata as saved.
   */
  updateServerMetadata(
    ctx: RequestContext,
    uuid: string,
    metadata: Record<string, string>,
    replace: boolean,
  ): Promise<Record<string, string>>;
  /** Removes one metadata key after the same checks; false when the server had no such key. */
  deleteServerMetadataItem(ctx: RequestContext, uuid: string, key: string): Promise<boolean>;
  /** Replaces the server's tags and returns them as stored. */
  replaceServerTags(ctx: RequestContext, uuid: string, tags: readonly string[]): Promise<string[]>;
  /** Adds one tag unless present or at the limit. */
  addServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<ServerTagAdd>;
  /** Removes one tag; false when the server did not have it. */
  deleteServerTag(ctx: RequestContext, uuid: string, tag: string): Promise<boolean>;
  /** Removes every tag of the server. */
  deleteServerTags(ctx: RequestContext, uuid: string): Promise<void>;
  /**
   * Locks the server, recording who locked it (`owner` when the caller's project owns it, else `admin`) and
   * why (2.73); an owner re-locking a locked server changes nothing, as in Nova.
   */
  lockServer(ctx: RequestContext, uuid: string, reason: string | null): Promise<void>;
  /** Unlocks the server and forgets the reason. */
  unlockServer(ctx: RequestContext, uuid: string): Promise<void>;
}
