/**
 * Nova Zed's base rules (nova/policies/base.py). Zed ships with `enforce_new_defaults = False`, so each
 * project rule also passes for the legacy owner check, as Nova's deprecated rules make it.
 */
export const BASE_RULES: Readonly<Record<string, string>> = {
  context_is_admin: "role:admin",
  admin_or_owner: "is_admin:True or project_id:%(project_id)s",
  admin_api: "is_admin:True",
  project_member_api: "role:member and project_id:%(project_id)s",
  project_reader_api: "role:reader and project_id:%(project_id)s",
  project_member_or_admin: "rule:project_member_api or rule:context_is_admin or rule:admin_or_owner",
  project_reader_or_admin: "rule:project_reader_api or rule:context_is_admin or rule:admin_or_owner",
};

/** Check strings for the rules the API names, Zed's defaults. */
export const ADMIN = "rule:context_is_admin";
/** A member of the owning project, or an admin. */
export const PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin";
/** A reader of the owning project, or an admin. */
export const PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin";
/** Anyone with a token. */
export const ANY = "@";

/**
 * Every `os_compute_api:*` rule the API checks, with its Zed default. Each resource adds its own rules here
 * (one entry per rule Nova defines in nova/policies/<resource>.py).
 */
export const COMPUTE_RULES: Readonly<Record<string, string>> = {
  "os_compute_api:servers:create:forced_host": ADMIN,
  "compute:servers:create:requested_destination": ADMIN,
  "os_compute_api:os-services:list": ADMIN,
  "os_compute_api:os-services:update": ADMIN,
  "os_compute_api:os-services:delete": ADMIN,
  "os_compute_api:os-hypervisors:list": ADMIN,
  "os_compute_api:os-hypervisors:list-detail": ADMIN,
  "os_compute_api:os-hypervisors:show": ADMIN,
  "os_compute_api:os-hypervisors:search": ADMIN,
  "os_compute_api:os-hypervisors:servers": ADMIN,
  "os_compute_api:os-hypervisors:statistics": ADMIN,
  "os_compute_api:os-hypervisors:uptime": ADMIN,
  // servers update, server metadata, server tags, lock (nova/policies/servers.py, server_metadata.py,
  // server_tags.py, lock_server.py)
  "os_compute_api:servers:update": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:server-metadata:index": PROJECT_READER_OR_ADMIN,
  "os_compute_api:server-metadata:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:server-metadata:create": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:server-metadata:update_all": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:server-metadata:update": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:server-metadata:delete": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-tags:index": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-server-tags:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-server-tags:update": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-tags:update_all": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-tags:delete": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-tags:delete_all": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-lock-server:lock": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-lock-server:unlock": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-lock-server:unlock:unlock_override": ADMIN,
  "os_compute_api:os-extended-server-attributes": ADMIN,
};
