/**
 * Nova Zed's base rules (nova/policies/base.py), with Zed's new defaults. Zed still runs with
 * `[oslo_policy] enforce_new_defaults = False`, under which each rule with a deprecated default (see
 * {@link DEPRECATED_RULES}) also passes for the deprecated check string, as oslo.policy ORs the two.
 */
export const BASE_RULES: Readonly<Record<string, string>> = {
  context_is_admin: "role:admin",
  admin_or_owner: "is_admin:True or project_id:%(project_id)s",
  admin_api: "is_admin:True",
  project_member_api: "role:member and project_id:%(project_id)s",
  project_reader_api: "role:reader and project_id:%(project_id)s",
  project_member_or_admin: "rule:project_member_api or rule:context_is_admin",
  project_reader_or_admin: "rule:project_reader_api or rule:context_is_admin",
};

/** A rule's deprecated default (oslo.policy's DeprecatedRule): its old name and check string. */
export interface DeprecatedRule {
  /** The old rule name; a policy file that sets it (and not the new name) overrides the new rule. */
  readonly name: string;
  /** The old check string, ORed with the new default while `enforce_new_defaults` is false. */
  readonly check: string;
}

const DEPRECATED_ADMIN: DeprecatedRule = { name: "rule:admin_api", check: "is_admin:True" };
const DEPRECATED_ADMIN_OR_OWNER: DeprecatedRule = {
  name: "rule:admin_or_owner",
  check: "is_admin:True or project_id:%(project_id)s",
};
const DEPRECATED_SERVICES: DeprecatedRule = { name: "os_compute_api:os-services", check: "rule:admin_api" };
const DEPRECATED_HYPERVISORS: DeprecatedRule = {
  name: "os_compute_api:os-hypervisors",
  check: "rule:admin_api",
};

/** Zed's deprecated defaults, by the rule that replaced them (nova/policies/*.py `deprecated_rule=`). */
export const DEPRECATED_RULES: Readonly<Record<string, DeprecatedRule>> = {
  context_is_admin: DEPRECATED_ADMIN,
  project_member_api: DEPRECATED_ADMIN_OR_OWNER,
  project_reader_api: DEPRECATED_ADMIN_OR_OWNER,
  project_member_or_admin: DEPRECATED_ADMIN_OR_OWNER,
  project_reader_or_admin: DEPRECATED_ADMIN_OR_OWNER,
  "os_compute_api:servers:show:flavor-extra-specs": {
    name: "os_compute_api:os-flavor-extra-specs:index",
    check: "rule:admin_or_owner",
  },
  ...Object.fromEntries(
    ["list", "update", "delete"].map((a) => [`os_compute_api:os-services:${a}`, DEPRECATED_SERVICES]),
  ),
  ...Object.fromEntries(
    ["list", "list-detail", "statistics", "show", "uptime", "search", "servers"].map((a) => [
      `os_compute_api:os-hypervisors:${a}`,
      DEPRECATED_HYPERVISORS,
    ]),
  ),
};

/** Check strings for the rules the API names, Zed's defaults. */
export const ADMIN = "rule:context_is_admin";
/** A member of the owning project, or an admin. */
export const PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin";
/** A reader of the owning project, or an admin. */
export const PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin";
/** Key pairs belong to a user, not a project: their owner, or an admin (nova/policies/keypairs.py). */
export const KEYPAIR_OWNER_OR_ADMIN = "(rule:context_is_admin) or user_id:%(user_id)s";
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
  // servers, server actions, os-keypairs, os-console-output (policy sweep; nova/policies/servers.py and others)
  "os_compute_api:servers:index": PROJECT_READER_OR_ADMIN,
  "os_compute_api:servers:detail": PROJECT_READER_OR_ADMIN,
  "os_compute_api:servers:index:get_all_tenants": ADMIN,
  "os_compute_api:servers:detail:get_all_tenants": ADMIN,
  "os_compute_api:servers:allow_all_filters": ADMIN,
  "os_compute_api:servers:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:servers:show:host_status": ADMIN,
  "os_compute_api:servers:show:flavor-extra-specs": PROJECT_READER_OR_ADMIN,
  "os_compute_api:servers:show:host_status:unknown-only": ADMIN,
  "os_compute_api:servers:create": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:delete": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:update": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:reboot": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:start": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:stop": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-pause-server:pause": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-pause-server:unpause": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-admin-actions:reset_state": ADMIN,
  "os_compute_api:os-admin-actions:inject_network_info": ADMIN,
  "os_compute_api:os-extended-server-attributes": ADMIN,
  "os_compute_api:os-console-output": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-keypairs:index": KEYPAIR_OWNER_OR_ADMIN,
  "os_compute_api:os-keypairs:create": KEYPAIR_OWNER_OR_ADMIN,
  "os_compute_api:os-keypairs:delete": KEYPAIR_OWNER_OR_ADMIN,
  "os_compute_api:os-keypairs:show": KEYPAIR_OWNER_OR_ADMIN,
  // os-aggregates and os-availability-zone (nova/policies/aggregates.py, availability_zone.py)
  "os_compute_api:os-aggregates:index": ADMIN,
  "os_compute_api:os-aggregates:create": ADMIN,
  "os_compute_api:os-aggregates:show": ADMIN,
  "os_compute_api:os-aggregates:update": ADMIN,
  "os_compute_api:os-aggregates:delete": ADMIN,
  "os_compute_api:os-aggregates:add_host": ADMIN,
  "os_compute_api:os-aggregates:remove_host": ADMIN,
  "os_compute_api:os-aggregates:set_metadata": ADMIN,
  "compute:aggregates:images": ADMIN,
  "os_compute_api:os-availability-zone:list": ANY,
  "os_compute_api:os-availability-zone:detail": ADMIN,
  // os-server-groups (nova/policies/server_groups.py)
  "os_compute_api:os-server-groups:create": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-groups:delete": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-server-groups:index": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-server-groups:index:all_projects": ADMIN,
  "os_compute_api:os-server-groups:show": PROJECT_READER_OR_ADMIN,
  // os-instance-actions, os-suspend-server, os-admin-actions (reset_state)
  "os_compute_api:os-instance-actions:events:details": ADMIN,
  "os_compute_api:os-instance-actions:events": ADMIN,
  "os_compute_api:os-instance-actions:list": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-instance-actions:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-suspend-server:suspend": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-suspend-server:resume": PROJECT_MEMBER_OR_ADMIN,
  // flavors: nova/policies/flavor_manage.py, flavor_extra_specs.py, flavor_access.py
  "os_compute_api:os-flavor-manage:create": ADMIN,
  "os_compute_api:os-flavor-manage:update": ADMIN,
  "os_compute_api:os-flavor-manage:delete": ADMIN,
  "os_compute_api:os-flavor-extra-specs:index": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-flavor-extra-specs:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-flavor-extra-specs:create": ADMIN,
  "os_compute_api:os-flavor-extra-specs:update": ADMIN,
  "os_compute_api:os-flavor-extra-specs:delete": ADMIN,
  "os_compute_api:os-flavor-access": ADMIN,
  "os_compute_api:os-flavor-access:add_tenant_access": ADMIN,
  "os_compute_api:os-flavor-access:remove_tenant_access": ADMIN,
  // Quotas, limits and usage (nova/policies/quota_sets.py, quota_class_sets.py, limits.py, simple_tenant_usage.py).
  "os_compute_api:os-quota-sets:update": ADMIN,
  "os_compute_api:os-quota-sets:defaults": ANY,
  "os_compute_api:os-quota-sets:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-quota-sets:delete": ADMIN,
  "os_compute_api:os-quota-sets:detail": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-quota-class-sets:show": ADMIN,
  "os_compute_api:os-quota-class-sets:update": ADMIN,
  "os_compute_api:limits": ANY,
  "os_compute_api:limits:other_project": ADMIN,
  "os_compute_api:os-simple-tenant-usage:show": PROJECT_READER_OR_ADMIN,
  "os_compute_api:os-simple-tenant-usage:list": ADMIN,
  // servers update, server metadata, server tags, lock (nova/policies/servers.py, server_metadata.py,
  // server_tags.py, lock_server.py)
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
  // resize and cold migration, migration records (nova/policies/servers.py, migrate_server.py,
  // migrations.py, servers_migrations.py)
  "os_compute_api:servers:resize": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:confirm_resize": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:revert_resize": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-migrate-server:migrate": ADMIN,
  "os_compute_api:os-migrate-server:migrate_live": ADMIN,
  "os_compute_api:os-evacuate": ADMIN,
  "os_compute_api:servers:migrations:force_complete": ADMIN,
  "os_compute_api:servers:migrations:delete": ADMIN,
  "os_compute_api:os-migrations:index": ADMIN,
  "os_compute_api:servers:migrations:index": ADMIN,
  "os_compute_api:servers:migrations:show": ADMIN,
  // Rebuild, shelve, rescue, snapshots, soft delete (nova/policies/servers.py, shelve.py, rescue.py,
  // create_backup.py, deferred_delete.py)
  "os_compute_api:servers:rebuild": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:rebuild:trusted_certs": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:servers:create_image": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-shelve:shelve": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-shelve:unshelve": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-shelve:unshelve_to_host": ADMIN,
  "os_compute_api:os-shelve:shelve_offload": ADMIN,
  "os_compute_api:os-rescue": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-unrescue": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-create-backup": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-deferred-delete:restore": PROJECT_MEMBER_OR_ADMIN,
  "os_compute_api:os-deferred-delete:force": PROJECT_MEMBER_OR_ADMIN,
};
