import type { ApiVersion } from "@nova/client";
import { boolFromString, strictBoolFromString } from "../bool-from-string.js";
import type { ServerQuery } from "../compute-backend.js";
import { HttpFault } from "../http-fault.js";
import { statesFromStatus, type TaskState, type VmState } from "../instance-states.js";
import {
  checkDateTime,
  checkEnum,
  checkNonNegativeInteger,
  checkNoUnknown,
  checkRegex,
  lastValue,
  parseDateTime,
} from "../query-params.js";
import type { RequestContext } from "../request-context.js";

const IGNORED_SORT_KEYS = [
  "architecture",
  "cell_name",
  "cleaned",
  "default_ephemeral_device",
  "default_swap_device",
  "deleted",
  "deleted_at",
  "disable_terminate",
  "ephemeral_gb",
  "ephemeral_key_uuid",
  "id",
  "key_data",
  "launched_on",
  "locked",
  "memory_mb",
  "os_type",
  "reservation_id",
  "root_gb",
  "shutdown_terminate",
  "user_data",
  "vcpus",
  "vm_mode",
];
const SORT_KEYS = [
  "access_ip_v4",
  "access_ip_v6",
  "auto_disk_config",
  "availability_zone",
  "config_drive",
  "created_at",
  "display_description",
  "display_name",
  "host",
  "hostname",
  "image_ref",
  "instance_type_id",
  "kernel_id",
  "key_name",
  "launch_index",
  "launched_at",
  "locked_by",
  "node",
  "power_state",
  "progress",
  "project_id",
  "ramdisk_id",
  "root_device_name",
  "task_state",
  "terminated_at",
  "updated_at",
  "user_id",
  "uuid",
  "vm_state",
];

// JOINED_TABLE_QUERY_PARAMS_SERVERS: accepted by the schema, then refused by the handler ("Invalid filter field").
const JOINED_TABLE_PARAMS = new Set([
  "block_device_mapping",
  "services",
  "metadata",
  "system_metadata",
  "info_cache",
  "security_groups",
  "pci_devices",
]);

// query_params_v21 of nova/api/openstack/compute/schemas/servers.py: what 2.75+ accepts at all.
const KNOWN_V21 = [
  "user_id",
  "project_id",
  "tenant_id",
  "launch_index",
  "image_ref",
  "image",
  "kernel_id",
  "ramdisk_id",
  "hostname",
  "key_name",
  "power_state",
  "vm_state",
  "task_state",
  "host",
  "node",
  "flavor",
  "reservation_id",
  "launched_at",
  "terminated_at",
  "availability_zone",
  "name",
  "display_name",
  "description",
  "display_description",
  "locked_by",
  "uuid",
  "root_device_name",
  "config_drive",
  "access_ip_v4",
  "access_ip_v6",
  "auto_disk_config",
  "progress",
  "sort_key",
  "sort_dir",
  "all_tenants",
  "soft_deleted",
  "deleted",
  "status",
  "changes-since",
  "ip",
  "ip6",
  "created_at",
  ...JOINED_TABLE_PARAMS,
  "limit",
  "marker",
];
const TAG_FILTERS = ["tags", "tags-any", "not-tags", "not-tags-any"];
// What 2.83 lets non-admins filter on too (Nova's _get_server_search_options).
const NON_ADMIN_V283 = [
  "availability_zone",
  "config_drive",
  "key_name",
  "created_at",
  "launched_at",
  "terminated_at",
  "power_state",
  "task_state",
  "vm_state",
  "progress",
  "user_id",
];
// Filters Nova's database layer matches by regular expression on the instance column of the same name
// (every instances column not matched exactly); `description` is `display_description`'s.
const COLUMN_REGEX_FILTERS: Record<string, string> = {
  node: "node",
  hostname: "hostname",
  key_name: "key_name",
  kernel_id: "kernel_id",
  ramdisk_id: "ramdisk_id",
  availability_zone: "availability_zone",
  description: "display_description",
  display_description: "display_description",
  root_device_name: "root_device_name",
  config_drive: "config_drive",
  access_ip_v4: "access_ip_v4",
  access_ip_v6: "access_ip_v6",
  launch_index: "launch_index",
  power_state: "power_state",
  progress: "progress",
  locked_by: "locked_by",
};
const REGEX_PARAMS = ["name", "display_name", "flavor", "reservation_id", "hostname", "node", "key_name"];

/** What a server list request turned into: a backend query, or "nothing can match" (Nova answers []). */
export type ServerListPlan = { kind: "query"; query: ServerQuery } | { kind: "empty" };

/** Turns `GET /servers[/detail]` query parameters into a backend query, enforcing Nova's rules and policy. */
export function planServerList(
  query: URLSearchParams,
  version: ApiVersion,
  context: RequestContext,
  options: { detail: boolean; maxLimit: number; allows: (rule: string) => boolean },
): ServerListPlan {
  validate(query, version);
  // Nova validates the query (its schema decorator) before the list's own rule.
  const listRule = `os_compute_api:servers:${options.detail ? "detail" : "index"}`;
  if (!options.allows(listRule)) throw HttpFault.policy(listRule);
  const search = new Map<string, string[]>();
  for (const key of new Set(query.keys())) search.set(key, query.getAll(key));

  // remove_invalid_options: without `allow_all_filters` only a few filters apply; the rest are silently dropped.
  if (!options.allows("os_compute_api:servers:allow_all_filters")) {
    const allowed = new Set([
      "reservation_id",
      "name",
      "status",
      "image",
      "flavor",
      "ip",
      "changes-since",
      "all_tenants",
    ]);
    if (version.atLeast("2.5")) allowed.add("ip6");
    if (version.atLeast("2.26")) for (const f of TAG_FILTERS) allowed.add(f);
    if (version.atLeast("2.66")) allowed.add("changes-before");
    if (version.atLeast("2.73")) allowed.add("locked");
    if (version.atLeast("2.83")) {
      for (const f of NON_ADMIN_V283) allowed.add(f);
    }
    if (version.atLeast("2.90")) allowed.add("hostname");
    for (const key of [...search.keys()]) if (!allowed.has(key)) search.delete(key);
  } else {
    for (const key of ["sort_key", "sort_dir", "limit", "marker"]) search.delete(key);
  }
  for (const key of search.keys()) {
    if (JOINED_TABLE_PARAMS.has(key) || key.startsWith("_")) {
      throw HttpFault.badRequest(`Invalid filter field: ${key}.`);
    }
  }

  const last = (key: string) => {
    const values = search.get(key);
    return values && values.length > 0 ? values[values.length - 1] : undefined;
  };
  const out: ServerQuery = { deleted: false, sort: [], limit: options.maxLimit };

  const statuses = search.get("status");
  if (statuses) {
    const { vmStates, taskStates } = statesFromStatus(statuses);
    if (vmStates.length === 0 && taskStates.length === 0) {
      if (version.atLeast("2.38")) throw HttpFault.badRequest("Invalid status value");
      return { kind: "empty" };
    }
    out.vmStates = vmStates;
    if (!taskStates.includes("default")) out.taskStates = taskStates as TaskState[];
  }
  const changesSince = last("changes-since");
  if (changesSince !== undefined) out.changesSince = parseDateTime(changesSince)!;
  const changesBefore = last("changes-before");
  if (changesBefore !== undefined) {
    out.changesBefore = parseDateTime(changesBefore)!;
    if (out.changesSince && out.changesBefore < out.changesSince) {
      throw HttpFault.badRequest("The value of changes-since must be less than or equal to changes-before.");
    }
  }
  const deleted = last("deleted");
  // Nova: bool_from_string(deleted, default=False), so an unknown word lists the servers that are not deleted.
  if (deleted !== undefined) out.deleted = boolFromString(deleted) ?? false;
  else out.deleted = changesSince !== undefined || changesBefore !== undefined;
  if (out.vmStates?.length === 1 && out.vmStates[0] === "deleted") {
    if (!context.isAdmin) throw HttpFault.forbidden("Only administrators may list deleted instances");
    out.deleted = true;
  }

  let allTenants = false;
  const allTenantsValue = search.get("all_tenants");
  if (allTenantsValue !== undefined) {
    const value = allTenantsValue[allTenantsValue.length - 1] ?? "";
    // Nova's is_all_tenants: present but empty means yes; anything else is read strictly.
    allTenants = value === "" ? true : strictBoolFromString(value);
  }
  if (allTenants) {
    const rule = `os_compute_api:servers:${options.detail ? "detail" : "index"}:get_all_tenants`;
    if (!options.allows(rule)) throw HttpFault.policy(rule);
    const project = last("project_id") ?? last("tenant_id");
    if (project !== undefined) out.projectId = project;
    const user = last("user_id");
    if (user !== undefined) out.userId = user;
  } else {
    out.projectId = context.projectId;
  }

  const name = last("name") ?? last("display_name");
  if (name !== undefined) out.name = name;
  const flavor = last("flavor");
  if (flavor !== undefined) out.flavorId = flavor;
  const image = last("image") ?? last("image_ref");
  if (image !== undefined) out.imageRef = image;
  const reservationId = last("reservation_id");
  if (reservationId !== undefined) out.reservationId = reservationId;
  const host = last("host");
  if (host !== undefined) out.host = host;
  const columnRegex: Record<string, string> = {};
  for (const [param, column] of Object.entries(COLUMN_REGEX_FILTERS)) {
    const value = last(param);
    if (value !== undefined) columnRegex[column] = value;
  }
  if (Object.keys(columnRegex).length > 0) out.columnRegex = columnRegex;
  const uuid = last("uuid");
  if (uuid !== undefined) out.uuid = uuid;
  // `status` decides the vm_state when given; else the vm_state and task_state filters match exactly.
  const vmState = last("vm_state");
  if (vmState !== undefined && !statuses) out.vmState = vmState as VmState;
  const taskState = last("task_state");
  if (taskState !== undefined) out.taskState = taskState as TaskState;
  // 2.26 tag filters: comma-separated lists (Nova splits each on ",").
  if (version.atLeast("2.26")) {
    const fields = [
      ["tags", "tags"],
      ["tags-any", "tagsAny"],
      ["not-tags", "notTags"],
      ["not-tags-any", "notTagsAny"],
    ] as const;
    for (const [param, field] of fields) {
      const value = last(param);
      if (value !== undefined) out[field] = value.split(",");
    }
  }
  // Nova's is_locked: bool_from_string(strict=True), a 400 for any other word.
  const locked = last("locked");
  if (locked !== undefined) out.locked = strictBoolFromString(locked);

  // Paging and sorting come from the request itself, whatever remove_invalid_options dropped.
  const limit = lastValue(query, "limit");
  out.limit = Math.min(options.maxLimit, limit !== undefined ? Number(limit) : options.maxLimit);
  const marker = lastValue(query, "marker");
  if (marker !== undefined) out.marker = marker;
  out.sort = sortParams(query, version, context);
  return { kind: "query", query: out };
}

function validate(query: URLSearchParams, version: ApiVersion): void {
  const known = new Set(KNOWN_V21);
  if (version.atLeast("2.26")) for (const f of TAG_FILTERS) known.add(f);
  if (version.atLeast("2.66")) known.add("changes-before");
  if (version.atLeast("2.73")) known.add("locked");
  checkNonNegativeInteger(query, "limit");
  checkDateTime(query, "changes-since");
  if (version.atLeast("2.66")) checkDateTime(query, "changes-before");
  for (const name of REGEX_PARAMS) checkRegex(query, name);
  checkEnum(query, "sort_key", sortKeysFor(version));
  if (version.atLeast("2.75")) checkNoUnknown(query, known, true);
}

function sortKeysFor(version: ApiVersion): string[] {
  if (version.atLeast("2.75")) return [...SORT_KEYS, "locked"];
  return [...SORT_KEYS, ...IGNORED_SORT_KEYS];
}

function sortParams(
  query: URLSearchParams,
  version: ApiVersion,
  context: RequestContext,
): { key: string; dir: "asc" | "desc" }[] {
  const keys = query.getAll("sort_key").map((k) => k.trim());
  const dirs = query.getAll("sort_dir").map((d) => d.trim());
  if (keys.length === 0) keys.push("created_at");
  if (dirs.length === 0) dirs.push("desc");
  const ignored = version.atLeast("2.73")
    ? IGNORED_SORT_KEYS.filter((k) => k !== "locked")
    : IGNORED_SORT_KEYS;
  const out: { key: string; dir: "asc" | "desc" }[] = [];
  keys.forEach((key, index) => {
    if (ignored.includes(key)) return;
    if ((key === "host" || key === "node") && !context.isAdmin) {
      throw HttpFault.forbidden(`Only administrators can sort servers by ${key}`);
    }
    // A missing direction repeats the first one, as oslo.db's paginate_query does.
    const dir = dirs[index] ?? dirs[0]!;
    if (dir !== "asc" && dir !== "desc") {
      throw HttpFault.badRequest("Unknown sort direction, must be 'desc' or 'asc'");
    }
    out.push({ key, dir });
  });
  return out;
}
