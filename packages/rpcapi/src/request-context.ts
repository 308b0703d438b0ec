import { randomUUID } from "node:crypto";
import type { RequestContext as WireContext } from "@nova/messaging";

/** Nova's RequestContext: who asks, in which project, for which request. Travels as `_context_*` keys. */
export interface NovaContext {
  /** The user, or null for a service's own work. */
  user_id: string | null;
  /** The project, or null for a service's own work. */
  project_id: string | null;
  /** The user's roles. */
  roles: string[];
  /** True for admin (and service) contexts. */
  is_admin: boolean;
  /** `req-<uuid>`, logged on every hop. */
  request_id: string;
  /** The request id of the caller across services, if any. */
  global_request_id: string | null;
  /** Whether queries see soft-deleted rows. */
  read_deleted: "no" | "yes" | "only";
  /** ISO 8601 without zone, as Nova's context timestamp. */
  timestamp: string;
  /** The Keystone token, if any. */
  auth_token: string | null;
  /** The client's address, if any. */
  remote_address: string | null;
  /** The user's name, if known. */
  user_name: string | null;
  /** The project's name, if known. */
  project_name: string | null;
}

/** A new request id, in Nova's `req-<uuid>` form. */
export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** A context for a user request (the API builds one per request). */
export function userContext(
  init: Partial<NovaContext> & Pick<NovaContext, "user_id" | "project_id">,
): NovaContext {
  return {
    roles: [],
    is_admin: false,
    request_id: newRequestId(),
    global_request_id: null,
    read_deleted: "no",
    timestamp: new Date().toISOString().replace("Z", ""),
    auth_token: null,
    remote_address: null,
    user_name: null,
    project_name: null,
    ...init,
  };
}

/** Nova's `get_admin_context()`: what services use for their own work (periodic tasks, heartbeats). */
export function adminContext(init: Partial<NovaContext> = {}): NovaContext {
  return userContext({ user_id: null, project_id: null, is_admin: true, ...init });
}

/** The context as oslo.messaging sends it (every key becomes `_context_<key>`, with Nova's aliases). */
export function toWireContext(ctx: NovaContext): WireContext {
  return {
    ...ctx,
    // Nova's to_dict() also sends these aliases; Python peers read them.
    user: ctx.user_id,
    project: ctx.project_id,
    tenant: ctx.project_id,
    user_identity: `${ctx.user_id ?? "-"} ${ctx.project_id ?? "-"} - - -`,
  };
}

/** Rebuilds a context from what a server received, tolerating Python peers' extra and missing keys. */
export function fromWireContext(raw: WireContext): NovaContext {
  const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
  const readDeleted = raw.read_deleted === "yes" || raw.read_deleted === "only" ? raw.read_deleted : "no";
  return {
    user_id: str(raw.user_id) ?? str(raw.user),
    project_id: str(raw.project_id) ?? str(raw.tenant) ?? str(raw.project),
    roles: Array.isArray(raw.roles) ? raw.roles.filter((r): r is string => typeof r === "string") : [],
    is_admin: raw.is_admin === true,
    request_id: str(raw.request_id) ?? newRequestId(),
    global_request_id: str(raw.global_request_id),
    read_deleted: readDeleted,
    timestamp: str(raw.timestamp) ?? new Date().toISOString().replace("Z", ""),
    auth_token: str(raw.auth_token),
    remote_address: str(raw.remote_address),
    user_name: str(raw.user_name),
    project_name: str(raw.project_name),
  };
}
