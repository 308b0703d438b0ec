import { hostname } from "node:os";
import { z } from "zod";
import { bool, choice, float, int, list, numberDict, optStr, seconds, str } from "./option-types.js";

/**
 * Nova's own option groups, by Nova's group and option names, each option declared here once. Groups a library
 * owns (`[oslo_messaging_rabbit]` and the messaging options of `[DEFAULT]` by @nova/messaging, `[database]` and
 * `[api_database]` by @nova/db, `[filter_scheduler]`/`[scheduler]`/`[metrics]` by @nova/scheduler-service,
 * `[libvirt]`/`[vnc]` by @nova/virt-libvirt) stay raw in {@link NovaConfig.raw} and are parsed by that library
 * (see {@link parseGroup}). Options no nova-ts code reads are not declared: oslo.config ignores them too.
 */
export const novaOptionGroups = {
  DEFAULT: z.object({
    host: str(hostname()),
    my_ip: str("127.0.0.1"),
    state_path: str("./data"),
    debug: bool(false),
    transport_url: str("fake://"),
    long_rpc_timeout: seconds(1800, { min: 1 }),
    report_interval: seconds(10, { min: 0 }),
    service_down_time: seconds(60, { min: 1 }),
    // `db` (Nova's default) or a plug-in as `<npm module>#<Export>`; checked where it is loaded (@nova/runtime).
    servicegroup_driver: str("db"),
    // Seconds nova-api waits for a cell before skipping it (Nova hard-codes CELL_TIMEOUT = 60).
    cell_timeout: seconds(60, { min: 1 }),
    compute_driver: str("fake.FakeDriver"),
    // nova-ts: seconds any one driver call may take before nova-compute gives up on it (0: wait for ever), so
    // a hung hypervisor or plug-in fails the operation (the instance goes to ERROR) instead of the compute.
    compute_driver_call_timeout: seconds(600, { min: 0 }),
    /** How guests are named on the hypervisor (`instance-%08x` of the database id, as Nova). */
    instance_name_template: str("instance-%08x"),
    // Nova's default is 0 (never): we fail a build stuck for an hour, so no instance stays in BUILD forever. An
    // hour outlasts both long RPC waits counted from the API's created_at (select_destinations, then
    // build_and_run_instance: long_rpc_timeout each), so this safety net never races the conductor's own
    // failure path. 0 still turns it off.
    instance_build_timeout: seconds(3600, { min: 0 }),
    default_availability_zone: str("nova"),
    cpu_allocation_ratio: float(0, { min: 0 }),
    ram_allocation_ratio: float(0, { min: 0 }),
    disk_allocation_ratio: float(0, { min: 0 }),
    initial_cpu_allocation_ratio: float(16.0, { min: 0 }),
    initial_ram_allocation_ratio: float(1.5, { min: 0 }),
    initial_disk_allocation_ratio: float(1.0, { min: 0 }),
    // nova-compute counts these as used on its compute node from the start (Nova's resource tracker).
    reserved_host_cpus: int(0, { min: 0 }),
    reserved_host_memory_mb: int(512, { min: 0 }),
    reserved_host_disk_mb: int(0, { min: 0 }),
    // Resize and cold migration: whether a resize may stay on its host (read by nova-api and nova-compute), and
    // how long a finished resize waits before nova-compute confirms it (0: never, Nova's default).
    allow_resize_to_same_host: bool(false),
    resize_confirm_window: seconds(0, { min: 0 }),
    osapi_compute_listen: str("0.0.0.0"),
    osapi_compute_listen_port: int(8774, { min: 0, max: 65535 }),
    graceful_shutdown_timeout: seconds(60, { min: 0 }),
    // Seconds between nova-compute's resource tracker passes (0: Nova's default period of 60 s; <0: never).
    update_resources_interval: seconds(0),
    // Soft delete and shelve (nova/conf/compute.py): 0 deletes at once / keeps shelved guests on their host
    // until asked; shelved_offload_time 0 offloads at once, -1 never.
    reclaim_instance_interval: seconds(0),
    shelved_offload_time: int(0, { min: -1 }),
    shelved_poll_interval: seconds(3600),
  }),
  api: z.object({
    // Nova defaults to keystone; the all-in-one has no Keystone beside it, so the development mode stays ours.
    auth_strategy: choice(["noauth2", "keystone"] as const, "noauth2"),
    max_limit: int(1000, { min: 1 }),
    glance_link_prefix: optStr(),
    // nova-ts: GET requests worked on at once (0: no limit); the rest wait in arrival order, for an even latency.
    max_concurrent_reads: int(8, { min: 0 }),
  }),
  // keystonemiddleware's auth_token options, by its names; read when `[api] auth_strategy = keystone`.
  keystone_authtoken: z.object({
    /** Where the service authenticates itself and validates callers' tokens (Keystone's public URL). */
    auth_url: optStr(),
    // Only password auth (the service user's own credentials) is served.
    auth_type: choice(["password"] as const, "password"),
    username: optStr(),
    password: optStr(),
    project_name: optStr(),
    user_domain_name: str("Default"),
    project_domain_name: str("Default"),
    /** The Keystone URL told to callers in `WWW-Authenticate` (auth_url when unset). */
    www_authenticate_uri: optStr(),
    /** Roles a service token (`X-Service-Token`) must hold one of to count as a service's. */
    service_token_roles: list(["service"]),
    service_token_roles_required: bool(false),
    /** Seconds a validated token is trusted without asking Keystone again (never past its expiry); -1 never. */
    token_cache_time: seconds(300, { min: -1 }),
    /** How many validated tokens the in-process cache holds (nova-ts: no memcached). */
    token_cache_size: int(10000, { min: 0 }),
    /** Seconds to wait for Keystone before answering 503. */
    http_connect_timeout: seconds(10, { min: 1 }),
    /** How many more times a request Keystone did not answer is tried before the 503. */
    http_request_max_retries: int(3, { min: 0 }),
  }),
  glance: z.object({
    // Where the image proxy's `alternate` links point; none by default (images come from our catalogue).
    api_servers: list([]),
    // nova-ts: where images come from: `local` (<state_path>/images.json) or `<npm module>#<Export>`.
    image_catalog: str("local"),
  }),
  oslo_policy: z.object({
    // oslo.policy's own default is policy.json; Nova sets policy.yaml (nova/policy.py).
    policy_file: str("policy.yaml"),
    enforce_scope: bool(false),
    enforce_new_defaults: bool(false),
  }),
  quota: z.object({
    // Nova's [quota] defaults (nova/conf/quota.py): every project's limits until the `default` quota class,
    // the project or the user says otherwise; -1 is unlimited.
    instances: int(10, { min: -1 }),
    cores: int(20, { min: -1 }),
    ram: int(51200, { min: -1 }),
    metadata_items: int(128, { min: -1 }),
    injected_files: int(5, { min: -1 }),
    injected_file_content_bytes: int(10240, { min: -1 }),
    injected_file_path_length: int(255, { min: -1 }),
    key_pairs: int(100, { min: -1 }),
    server_groups: int(10, { min: -1 }),
    server_group_members: int(10, { min: -1 }),
  }),
  upgrade_levels: z.object({
    compute: optStr(),
    conductor: optStr(),
    scheduler: optStr(),
    compute_task: optStr(),
  }),
  fake: z.object({
    // Options of the fake driver (Nova's FakeDriver takes them from code; we make them settable).
    host_count: int(1, { min: 1 }),
    vcpus: int(16, { min: 1 }),
    memory_mb: int(32768, { min: 1 }),
    local_gb: int(1024, { min: 1 }),
    spawn_delay: float(0, { min: 0 }),
    // Injected spawn failures, so a compute in another process can be told to fail builds (reschedule tests):
    // spawns whose display name matches this regular expression fail, every time, on this host...
    spawn_failure_pattern: optStr().refine((v) => v === undefined || compiles(v), {
      message: "not a valid regular expression",
    }),
    // ...and the first N spawns on this host fail whatever the instance.
    spawn_failure_count: int(0, { min: 0 }),
    // Any driver operation, by Nova's name: seconds it takes (`migrate_disk_and_power_off:0.5,finish_migration:1`)
    // and how many of its first calls fail (`prep_resize:1`), so failures can be tested across processes.
    operation_delays: numberDict({ min: 0 }),
    operation_failures: numberDict({ min: 0 }),
  }),
} as const;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

type Groups = typeof novaOptionGroups;

/** Raw option values of every group as given (files then environment): strings, or lists of them. */
export type RawConfig = Record<string, Record<string, string | string[]>>;

/** The parsed configuration: typed groups, plus the raw values of every group for libraries' parsers. */
export type NovaConfig = { [G in keyof Groups]: z.output<Groups[G]> } & { raw: RawConfig; files: string[] };
