import {
  type Flavor,
  FlavorCodec,
  type Instance,
  type InstanceFault,
  type NovaObjectPrimitive,
  type TaskState,
  type VmState,
} from "@nova/objects";
import { CompiledQuery, sql } from "kysely";
import { columnMap, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError, UnsupportedRegexError } from "../errors/query-error.js";
import { UnexpectedTaskStateError, UnexpectedVmStateError } from "../errors/unexpected-state-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { afterMarker, type PageOptions, resolveSort } from "../pagination.js";
import { PreparedByCount, PreparedStatement } from "../prepared-statement.js";
import { regexCondition } from "../regex-filter.js";
import type { InstanceFaultRepository } from "./instance-fault-repository.js";

const instanceColumns = columnMap({
  id: "int",
  uuid: "string",
  user_id: "string",
  project_id: "string",
  image_ref: "string",
  kernel_id: "string",
  ramdisk_id: "string",
  hostname: "string",
  launch_index: "int",
  key_name: "string",
  key_data: "string",
  power_state: "int",
  vm_state: "string",
  task_state: "string",
  memory_mb: "int",
  vcpus: "int",
  root_gb: "int",
  ephemeral_gb: "int",
  ephemeral_key_uuid: "string",
  host: "string",
  node: "string",
  instance_type_id: "int",
  user_data: "string",
  reservation_id: "string",
  launched_at: "date",
  terminated_at: "date",
  availability_zone: "string",
  display_name: "string",
  display_description: "string",
  launched_on: "string",
  locked: "bool",
  locked_by: "string",
  os_type: "string",
  architecture: "string",
  vm_mode: "string",
  root_device_name: "string",
  default_ephemeral_device: "string",
  default_swap_device: "string",
  config_drive: "string",
  access_ip_v4: "string",
  access_ip_v6: "string",
  auto_disk_config: "bool",
  progress: "int",
  shutdown_terminate: "bool",
  disable_terminate: "bool",
  cell_name: "string",
  cleaned: "bool",
  hidden: "bool",
  created_at: "date",
  updated_at: "date",
  deleted_at: "date",
  deleted: "bool",
});

// Nested objects kept in instance_extra as their primitives (Nova keeps them there as JSON too).
const extraColumns = columnMap({
  numa_topology: "json",
  pci_requests: "json",
  vcpu_model: "json",
  migration_context: "json",
  keypairs: "json",
  device_metadata: "json",
  trusted_certs: "json",
  resources: "json",
});

// instance_extra's columns, as a load joins them to the instance's row (under JOINED_EXTRA-prefixed names).
const EXTRA_TABLE_COLUMNS = [
  "id",
  "instance_uuid",
  "created_at",
  "updated_at",
  "deleted_at",
  "deleted",
  "flavor",
  ...Object.keys(extraColumns.columns),
];
const JOINED_EXTRA = "x__";

// Every column of a table as NULL: a row's columns left out of an INSERT.
function nulls(columns: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(columns).map((k) => [k, null]));
}

type InstanceColumn = keyof typeof instanceColumns.columns;
type ExtraColumn = keyof typeof extraColumns.columns;

/** An instance as stored in its cell: every column, metadata, flavors and the nested objects kept beside it. */
export type InstanceRecord = Pick<
  Instance,
  | InstanceColumn
  | Exclude<ExtraColumn, "keypairs">
  | "metadata"
  | "system_metadata"
  | "flavor"
  | "old_flavor"
  | "new_flavor"
> & {
  /** Not nullable in Nova: absent when never stored. */
  keypairs?: Instance["keypairs"];
  /** The latest fault, when asked for with `withFault`. */
  fault?: InstanceFault | null;
};

// The flavor column of an instance that has none.
const NO_FLAVORS = JSON.stringify({ cur: null, old: null, new: null });

/** What creating an instance needs: its uuid, and any other stored field. */
export type InstanceCreate = Partial<Omit<InstanceRecord, "id" | "deleted" | "deleted_at" | "fault">> & {
  uuid: string;
};

/**
 * Fields an update may change (not id, uuid or `deleted`: use destroy for that). `deleted_at` on a live row
 * is Nova's soft delete: when the reclaim may happen (restore clears it).
 */
export type InstanceChanges = Partial<Omit<InstanceRecord, "id" | "uuid" | "deleted" | "fault">>;

/** Conditions an update must still meet when it lands (Nova's expected_task_state / expected_vm_state). */
export interface InstanceExpectations {
  /** The task_state(s) the row must still be in, or the update fails with UnexpectedTaskStateError. */
  expectedTaskState?: TaskState | null | readonly (TaskState | null)[];
  /** The vm_state(s) the row must still be in, or the update fails with UnexpectedVmStateError. */
  expectedVmState?: VmState | null | readonly (VmState | null)[];
}

/** Filters of instance lists, as Nova's instance_get_all_by_filters takes them. */
export interface InstanceFilters {
  /** Only these instances. */
  uuid?: readonly string[];
  /** Only this project's. */
  project_id?: string;
  /** Only this user's. */
  user_id?: string;
  /** Only those on this host. */
  host?: string;
  /** Only those on this node. */
  node?: string;
  /** Only those in these vm_states. */
  vm_state?: readonly VmState[];
  /** Only those in these task_states. */
  task_state?: readonly (TaskState | null)[];
  /** Only those booted from this image. */
  image_ref?: string;
  /** Only those of this flavor (its id). */
  instance_type_id?: number;
  /** Only those with this display name. */
  display_name?: string;
  /** Only those of this multi-create reservation. */
  reservation_id?: string;
  /** Only locked (true) or only unlocked (false) instances. */
  locked?: boolean;
  /** Only instances with every one of these tags (Nova's `tags` filter). */
  tags?: readonly string[];
  /** Only instances with at least one of these tags (`tags-any`). */
  tags_any?: readonly string[];
  /** Only instances without at least one of these tags, i.e. not all of them (`not-tags`). */
  not_tags?: readonly string[];
  /** Only instances with none of these tags (`not-tags-any`). */
  not_tags_any?: readonly string[];
  /** undefined/false: live instances only; true: only deleted; "any": both (Nova's read_deleted). */
  deleted?: boolean | "any";
  /** Instances updated at or after this time, deleted ones included (Nova's changes-since). */
  changes_since?: Date;
  /** Instances updated at or before this time, deleted ones included (Nova's changes-before, 2.66). */
  changes_before?: Date;
  /**
   * Python regular expressions searched in these columns, in the database (Nova's `_regex_instance_filter`):
   * the `name` filter is `display_name`'s.
   */
  regex?: Partial<Record<InstanceRegexColumn, string>>;
}

/** Columns Nova matches by regular expression (every filterable column not matched exactly). */
export const INSTANCE_REGEX_COLUMNS = [
  "display_name",
  "display_description",
  "reservation_id",
  "hostname",
  "node",
  "key_name",
  "kernel_id",
  "ramdisk_id",
  "availability_zone",
  "root_device_name",
  "config_drive",
  "access_ip_v4",
  "access_ip_v6",
  "launch_index",
  "power_state",
  "progress",
  "locked_by",
] as const;

/** A column Nova filters by regular expression. */
export type InstanceRegexColumn = (typeof INSTANCE_REGEX_COLUMNS)[number];

// MariaDB stops a regex list after this long: PCRE2's match limit bounds one row, this bounds them all.
const REGEX_STATEMENT_SECONDS = 10;

/** Columns lists may sort on (every sort key of Nova's servers API, and a few more). */
export const INSTANCE_SORT_KEYS = [
  "id",
  "uuid",
  "created_at",
  "updated_at",
  "launched_at",
  "terminated_at",
  "display_name",
  "display_description",
  "hostname",
  "host",
  "node",
  "vm_state",
  "task_state",
  "power_state",
  "project_id",
  "user_id",
  "memory_mb",
  "vcpus",
  "root_gb",
  "access_ip_v4",
  "access_ip_v6",
  "auto_disk_config",
  "availability_zone",
  "config_drive",
  "image_ref",
  "instance_type_id",
  "kernel_id",
  "ramdisk_id",
  "key_name",
  "launch_index",
  "locked",
  "locked_by",
  "progress",
  "root_device_name",
] as const;

/** A sort key of instance lists. */
export type InstanceSortKey = (typeof INSTANCE_SORT_KEYS)[number];

/** Options of get and list: read deleted rows, load the latest fault. */
export interface InstanceLoadOptions {
  /** Include soft-deleted rows. */
  readDeleted?: boolean;
  /** Load each instance's latest fault too. */
  withFault?: boolean;
}

const asList = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? (v as readonly T[]) : [v as T]);

function inWithNull(col: string, values: readonly (string | null)[]) {
  const nonNull = values.filter((v): v is string => v !== null);
  const parts = [];
  if (nonNull.length > 0) parts.push(sql`${sql.ref(col)} IN (${sql.join(nonNull)})`);
  if (values.includes(null)) parts.push(sql`${sql.ref(col)} IS NULL`);
  return parts.length === 0 ? sql<boolean>`1 = 0` : sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

// Nova's _tag_filters: how many of the given tags an instance has, compared with how many were given.
function tagCount(tags: readonly string[]) {
  return sql<number>`(SELECT COUNT(*) FROM tags WHERE tags.resource_id = instances.uuid AND tags.tag IN (${sql.join([...new Set(tags)])}))`;
}

function tagConditions(filters: InstanceFilters) {
  const out = [];
  const all = (t: readonly string[]) => sql<boolean>`${tagCount(t)} = ${new Set(t).size}`;
  const any = (t: readonly string[]) => sql<boolean>`${tagCount(t)} > 0`;
  if (filters.tags?.length) out.push(all(filters.tags));
  if (filters.tags_any?.length) out.push(any(filters.tags_any));
  if (filters.not_tags?.length) out.push(sql<boolean>`NOT ${all(filters.not_tags)}`);
  if (filters.not_tags_any?.length) out.push(sql<boolean>`NOT ${any(filters.not_tags_any)}`);
  return out;
}

interface FlavorBlob {
  cur: NovaObjectPrimitive | null;
  old: NovaObjectPrimitive | null;
  new: NovaObjectPrimitive | null;
}

/** Instances of one cell: create, read, list with Nova's filters and pagination, conditional update, soft delete. */
export class InstanceRepository {
  // The reads every save and every object call make, compiled once: a live instance in one statement (its
  // metadata aggregated as JSON), a maybe-deleted one as the row and then its metadata's history.
  private readonly loadLive = new PreparedStatement((db, slot) => loadLiveQuery(db, slot(0), this.d.dialect));
  private readonly loadAny = new PreparedStatement((db, slot) => loadQuery(db, slot(0), true));
  /** Metadata and system metadata of n instances (each uuid's slot used in both tables' lists). */
  private readonly pairs = new PreparedByCount((db, slot, count) => {
    const uuids = Array.from({ length: count }, (_, i) => slot(i));
    return db
      .selectFrom("instance_metadata")
      .select([sql<number>`0`.as("sys"), "instance_uuid", "key", "value", "deleted", "deleted_at"])
      .where("instance_uuid", "in", uuids)
      .unionAll(
        db
          .selectFrom("instance_system_metadata")
          .select([sql<number>`1`.as("sys"), "instance_uuid", "key", "value", "deleted", "deleted_at"])
          .where("instance_uuid", "in", uuids),
      );
  });

  /** A repository over a cell database; `faults` supplies each instance's latest fault when reading. */
  constructor(
    private readonly d: NovaDatabase,
    private readonly faults: InstanceFaultRepository,
  ) {}

  /** Creates an instance with its metadata, system metadata and flavor in one transaction. */
  async create(values: InstanceCreate): Promise<InstanceRecord> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      const row = instanceColumns.toRow({
        power_state: 0,
        vm_state: "building",
        locked: false,
        auto_disk_config: false,
        shutdown_terminate: false,
        disable_terminate: false,
        cleaned: false,
        hidden: false,
        ...values,
        created_at: values.created_at ?? now,
        updated_at: values.updated_at ?? null,
      });
      delete row.id;
      delete row.deleted;
      const inserted = await trx.insertInto("instances").values(row).executeTakeFirstOrThrow();
      const extra: Record<string, unknown> = {
        instance_uuid: values.uuid,
        created_at: toSqlDate(now),
        flavor: JSON.stringify(this.flavorBlob(values, { cur: null, old: null, new: null })),
        ...extraColumns.toRow(values),
      };
      const extraInserted = await trx.insertInto("instance_extra").values(extra).executeTakeFirstOrThrow();
      // A new instance has no metadata rows to replace (its uuid is unique, deleted rows included).
      const { metadata, system } = await this.writeMetadata(
        trx,
        values.uuid,
        values.metadata,
        values.system_metadata,
        now,
        true,
      );
      // The instance is what was just written (columns left out are NULL, `deleted` 0): it is assembled
      // from those rows as a load would from the rows it reads, without reading them back.
      const fresh = { deleted: 0, deleted_at: null };
      return this.assemble(
        [{ ...nulls(instanceColumns.columns), ...row, ...fresh, id: Number(inserted.insertId) }],
        [{ ...extra, ...fresh, id: Number(extraInserted.insertId) }],
        metadata.map((r) => ({ ...r, ...fresh })),
        system.map((r) => ({ ...r, ...fresh })),
        undefined,
      )[0]!;
    }, "Instance");
  }

  /** The instance with this uuid; NotFoundError if none (or soft-deleted, unless readDeleted). */
  get(uuid: string, options: InstanceLoadOptions = {}): Promise<InstanceRecord> {
    return this.d.run((db) => this.load(db, uuid, options));
  }

  /**
   * Instances matching the filters, sorted (default: created_at, id descending) and paginated by marker.
   * Always a fixed number of queries, whatever the page size: rows, extras, metadata, system metadata (+faults).
   */
  list(
    filters: InstanceFilters = {},
    page: PageOptions<InstanceSortKey> = {},
    options: InstanceLoadOptions = {},
  ): Promise<InstanceRecord[]> {
    return this.d.run(async (db) => {
      // id is unique in a cell; uuid orders rows of other cells and build requests (no id here) among ours.
      const sort = resolveSort(
        "instances",
        INSTANCE_SORT_KEYS,
        page,
        { keys: ["created_at", "id"], dir: "desc" },
        ["id", "uuid"],
      );
      let q = db.selectFrom("instances").selectAll("instances");
      if (filters.changes_since || filters.changes_before) {
        if (filters.changes_since)
          q = q.where("instances.updated_at", ">=", toSqlDate(filters.changes_since));
        if (filters.changes_before)
          q = q.where("instances.updated_at", "<=", toSqlDate(filters.changes_before));
      } else if (filters.deleted === true) q = q.where("instances.deleted", "!=", 0);
      else if (filters.deleted !== "any") q = q.where("instances.deleted", "=", 0);
      if (filters.uuid)
        q =
          filters.uuid.length > 0
            ? q.where("instances.uuid", "in", [...filters.uuid])
            : q.where(sql<boolean>`1 = 0`);
      for (const key of [
        "project_id",
        "user_id",
        "host",
        "node",
        "image_ref",
        "display_name",
        "reservation_id",
      ] as const) {
        const v = filters[key];
        if (v !== undefined) q = q.where(`instances.${key}`, "=", v);
      }
      if (filters.instance_type_id !== undefined)
        q = q.where("instances.instance_type_id", "=", filters.instance_type_id);
      if (filters.locked !== undefined) q = q.where("instances.locked", "=", filters.locked ? 1 : 0);
      for (const condition of tagConditions(filters)) q = q.where(condition);
      if (filters.vm_state) q = q.where(inWithNull("instances.vm_state", filters.vm_state));
      if (filters.task_state) q = q.where(inWithNull("instances.task_state", filters.task_state));
      for (const [column, pattern] of Object.entries(filters.regex ?? {})) {
        if (!(INSTANCE_REGEX_COLUMNS as readonly string[]).includes(column)) continue;
        q = q.where(regexCondition(this.d.dialect, `instances.${column}`, pattern!));
      }
      if (page.marker !== undefined) {
        const marker = await db
          .selectFrom("instances")
          .selectAll()
          .where("uuid", "=", page.marker)
          .executeTakeFirst();
        if (!marker) throw new MarkerNotFoundError(page.marker);
        q = q.where(afterMarker(sort, marker));
      } else if (page.markerValues !== undefined) {
        q = q.where(afterMarker(sort, { id: null, ...instanceColumns.toRow(page.markerValues) }));
      }
      for (const s of sort) q = q.orderBy(sql.ref(s.col), s.dir);
      if (page.limit !== undefined) q = q.limit(page.limit);
      const rows =
        filters.regex && this.d.dialect === "mysql"
          ? await this.timed(db, q, Object.values(filters.regex).join(", "))
          : await q.execute();
      return this.hydrate(db, rows, options);
    });
  }

  // A regex list on MariaDB runs under a statement time limit, so no pattern holds a connection for long.
  private async timed(
    db: Db,
    q: { compile(): CompiledQuery },
    patterns: string,
  ): Promise<Record<string, unknown>[]> {
    const { sql: text, parameters } = q.compile();
    try {
      const res = await db.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(`SET STATEMENT max_statement_time=${REGEX_STATEMENT_SECONDS} FOR ${text}`, [
          ...parameters,
        ]),
      );
      return res.rows;
    } catch (error) {
      // ER_STATEMENT_TIMEOUT
      if ((error as { errno?: unknown }).errno === 1969) {
        throw new UnsupportedRegexError(patterns, `ran past ${REGEX_STATEMENT_SECONDS} s`);
      }
      throw error;
    }
  }

  /**
   * Nova's instance_get_active_by_window_joined (usage audits): instances, deleted ones included, launched
   * before `end` and not terminated before `begin`, of one project or all; sorted by project and uuid,
   * paginated by marker (MarkerNotFoundError for an unknown one).
   */
  listActiveByWindow(
    window: { begin: Date; end: Date; projectId?: string },
    page: { limit?: number; marker?: string } = {},
  ): Promise<InstanceRecord[]> {
    return this.d.run(async (db) => {
      const sort = [
        { col: "instances.project_id", dir: "asc" as const },
        { col: "instances.uuid", dir: "asc" as const },
      ];
      let q = db
        .selectFrom("instances")
        .selectAll("instances")
        .where((eb) =>
          eb.or([
            eb("instances.terminated_at", "is", null),
            eb("instances.terminated_at", ">", toSqlDate(window.begin)),
          ]),
        )
        .where("instances.launched_at", "<", toSqlDate(window.end));
      if (window.projectId !== undefined) q = q.where("instances.project_id", "=", window.projectId);
      if (page.marker !== undefined) {
        const marker = await db
          .selectFrom("instances")
          .selectAll()
          .where("uuid", "=", page.marker)
          .executeTakeFirst();
        if (!marker) throw new MarkerNotFoundError(page.marker);
        q = q.where(afterMarker(sort, marker));
      }
      for (const s of sort) q = q.orderBy(sql.ref(s.col), s.dir);
      if (page.limit !== undefined) q = q.limit(page.limit);
      return this.hydrate(db, await q.execute(), {});
    });
  }

  /** Live instances on a host (and node), as the resource tracker asks for them. */
  listByHost(host: string, node?: string): Promise<InstanceRecord[]> {
    return this.list(node === undefined ? { host } : { host, node }, { sortKeys: ["id"], sortDirs: ["asc"] });
  }

  /**
   * Saves changes atomically: the row is updated only if it still has an expected task_state / vm_state,
   * else UnexpectedTaskStateError / UnexpectedVmStateError (nothing written). Returns the saved instance.
   */
  async update(
    uuid: string,
    changes: InstanceChanges,
    expect: InstanceExpectations = {},
  ): Promise<InstanceRecord> {
    await this.updateWithoutReload(uuid, changes, expect);
    // Read after the write has committed (Nova reads inside its transaction): the instance as saved, or
    // newer. Two statements for a save of the row alone instead of five (BEGIN, UPDATE, two reads, COMMIT).
    return this.get(uuid);
  }

  /**
   * As update, for a caller that does not need the saved instance: it is not read back, and a change of the
   * instances row alone is a single statement (no transaction).
   */
  async updateWithoutReload(
    uuid: string,
    changes: InstanceChanges,
    expect: InstanceExpectations = {},
  ): Promise<void> {
    const now = this.d.now();
    const touchesOthers =
      Object.keys(extraColumns.toRow(changes)).length > 0 ||
      changes.flavor !== undefined ||
      changes.old_flavor !== undefined ||
      changes.new_flavor !== undefined ||
      changes.metadata !== undefined ||
      changes.system_metadata !== undefined;
    if (!touchesOthers) {
      await this.d.run((db) => this.updateRow(db, uuid, changes, expect, now), "Instance");
      return;
    }
    await this.d.transaction(async (trx) => {
      await this.updateRow(trx, uuid, changes, expect, now);
      await this.writeExtras(trx, uuid, changes, now);
      await this.writeMetadata(trx, uuid, changes.metadata, changes.system_metadata, now);
    }, "Instance");
  }

  /**
   * Soft-deletes an instance (deleted = id) with its metadata and extras, if it still has an expected
   * task_state. Returns the instance as it was just before.
   */
  destroy(
    uuid: string,
    expect: InstanceExpectations = {},
    options: { terminate?: boolean } = {},
  ): Promise<InstanceRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const before = await this.load(trx, uuid, {});
      // `terminate`: no compute recorded the end (Nova's local delete), so the row ends as a compute leaves it.
      const final = options.terminate
        ? { vm_state: "deleted", task_state: null, power_state: 0, terminated_at: now }
        : {};
      let q = trx
        .updateTable("instances")
        .set({ ...final, deleted: sql`id`, deleted_at: now, updated_at: now })
        .where("uuid", "=", uuid)
        .where("deleted", "=", 0);
      if (expect.expectedTaskState !== undefined)
        q = q.where(inWithNull("task_state", asList(expect.expectedTaskState)));
      if (expect.expectedVmState !== undefined)
        q = q.where(inWithNull("vm_state", asList(expect.expectedVmState)));
      const res = await q.executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) await this.explainMiss(trx, uuid, expect);
      for (const table of ["instance_metadata", "instance_system_metadata", "instance_extra"]) {
        await trx
          .updateTable(table)
          .set({ deleted: sql`id`, deleted_at: now })
          .where("instance_uuid", "=", uuid)
          .where("deleted", "=", 0)
          .execute();
      }
      // Nova's instance_destroy removes the tags outright (the tags table has no soft delete).
      await trx.deleteFrom("tags").where("resource_id", "=", uuid).execute();
      return before;
    }, "Instance");
  }

  /** Instances, vCPUs and RAM in use by a project (and user): the usage Nova counts for quotas. */
  countUsage(projectId: string, userId?: string): Promise<{ instances: number; cores: number; ram: number }> {
    return this.d.run(async (db) => {
      let q = db
        .selectFrom("instances")
        .select([
          sql<number>`COUNT(*)`.as("instances"),
          sql<number>`COALESCE(SUM(vcpus), 0)`.as("cores"),
          sql<number>`COALESCE(SUM(memory_mb), 0)`.as("ram"),
        ])
        .where("deleted", "=", 0)
        .where("project_id", "=", projectId);
      if (userId !== undefined) q = q.where("user_id", "=", userId);
      const r = await q.executeTakeFirstOrThrow();
      return { instances: Number(r.instances), cores: Number(r.cores), ram: Number(r.ram) };
    });
  }

  // The conditional UPDATE of the instances row; a miss is explained (not found, unexpected task/vm state).
  private async updateRow(
    db: Db,
    uuid: string,
    changes: InstanceChanges,
    expect: InstanceExpectations,
    now: Date,
  ): Promise<void> {
    const set = instanceColumns.toRow({ ...changes, updated_at: changes.updated_at ?? now });
    for (const k of ["id", "uuid", "deleted", "deleted_at", "created_at"]) delete set[k];
    if (changes.created_at) set.created_at = toSqlDate(changes.created_at);
    if (changes.deleted_at !== undefined)
      set.deleted_at = changes.deleted_at === null ? null : toSqlDate(changes.deleted_at);
    let q = db.updateTable("instances").set(set).where("uuid", "=", uuid).where("deleted", "=", 0);
    if (expect.expectedTaskState !== undefined)
      q = q.where(inWithNull("task_state", asList(expect.expectedTaskState)));
    if (expect.expectedVmState !== undefined)
      q = q.where(inWithNull("vm_state", asList(expect.expectedVmState)));
    const res = await q.executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) await this.explainMiss(db, uuid, expect);
  }

  private async explainMiss(db: Db, uuid: string, expect: InstanceExpectations): Promise<never> {
    const row = await db
      .selectFrom("instances")
      .select(["task_state", "vm_state"])
      .where("uuid", "=", uuid)
      .where("deleted", "=", 0)
      .executeTakeFirst();
    if (!row) throw new NotFoundError("Instance", uuid);
    if (expect.expectedTaskState !== undefined) {
      const expected = asList(expect.expectedTaskState);
      if (!expected.includes(row.task_state ?? null))
        throw new UnexpectedTaskStateError(uuid, expected, row.task_state ?? null);
    }
    const expected = asList(expect.expectedVmState ?? []);
    throw new UnexpectedVmStateError(uuid, expected, row.vm_state ?? null);
  }

  private flavorBlob(values: Partial<InstanceRecord>, prev: FlavorBlob): FlavorBlob {
    const enc = (f: Partial<Flavor> | null | undefined, p: NovaObjectPrimitive | null) =>
      f === undefined ? p : f === null ? null : FlavorCodec.toPrimitive(f);
    return {
      cur: enc(values.flavor, prev.cur),
      old: enc(values.old_flavor, prev.old),
      new: enc(values.new_flavor, prev.new),
    };
  }

  private async writeExtras(db: Db, uuid: string, changes: InstanceChanges, now: Date): Promise<void> {
    const set: Record<string, unknown> = extraColumns.toRow(changes);
    const given = [changes.flavor, changes.old_flavor, changes.new_flavor].filter(
      (x) => x !== undefined,
    ).length;
    if (given === 3) {
      // All three given (a move saves them together): the stored blob would be overwritten whole, unread.
      set.flavor = JSON.stringify(this.flavorBlob(changes, { cur: null, old: null, new: null }));
    } else if (given > 0) {
      const cur = await db
        .selectFrom("instance_extra")
        .select("flavor")
        .where("instance_uuid", "=", uuid)
        .where("deleted", "=", 0)
        .executeTakeFirst();
      const prev: FlavorBlob = cur?.flavor
        ? JSON.parse(String(cur.flavor))
        : { cur: null, old: null, new: null };
      set.flavor = JSON.stringify(this.flavorBlob(changes, prev));
    }
    if (Object.keys(set).length === 0) return;
    set.updated_at = toSqlDate(now);
    await db
      .updateTable("instance_extra")
      .set(set)
      .where("instance_uuid", "=", uuid)
      .where("deleted", "=", 0)
      .execute();
  }

  // Metadata given replaces what was there (Nova's instance_update with metadata), soft-deleting the old rows.
  private async writeMetadata(
    db: Db,
    uuid: string,
    metadata: Record<string, string> | undefined,
    system: Record<string, string | null> | undefined,
    now: Date,
    fresh = false,
  ): Promise<{ metadata: Record<string, unknown>[]; system: Record<string, unknown>[] }> {
    const written = { metadata: [] as Record<string, unknown>[], system: [] as Record<string, unknown>[] };
    for (const [table, values, out] of [
      ["instance_metadata", metadata, written.metadata],
      ["instance_system_metadata", system, written.system],
    ] as const) {
      if (values === undefined) continue;
      if (!fresh) {
        await db
          .updateTable(table)
          .set({ deleted: sql`id`, deleted_at: toSqlDate(now) })
          .where("instance_uuid", "=", uuid)
          .where("deleted", "=", 0)
          .execute();
      }
      const rows = Object.entries(values).map(([key, value]) => ({
        instance_uuid: uuid,
        key,
        value,
        created_at: toSqlDate(now),
      }));
      if (rows.length > 0) await db.insertInto(table).values(rows).execute();
      out.push(...rows);
    }
    return written;
  }

  private async load(db: Db, uuid: string, options: InstanceLoadOptions): Promise<InstanceRecord> {
    // The extra (one per instance) comes with the row, its columns prefixed: one read less per load.
    const joined = await (options.readDeleted ? this.loadAny : this.loadLive).rows(db, [uuid]);
    if (joined.length === 0) throw new NotFoundError("Instance", uuid);
    // One row per extra row (a deleted instance may have had more than one): the instance's columns from the
    // first, every extra kept; assemble picks the one that goes with the instance.
    const row: Record<string, unknown> = {};
    const extras: Record<string, unknown>[] = [];
    for (const [i, r] of joined.entries()) {
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (k.startsWith(JOINED_EXTRA)) extra[k.slice(JOINED_EXTRA.length)] = v;
        else if (i === 0 && k !== JOINED_METADATA && k !== JOINED_SYSTEM_METADATA) row[k] = v;
      }
      if (extra.id !== null && extra.id !== undefined) extras.push(extra);
    }
    extras.sort((a, b) => Number(a.id) - Number(b.id));
    if (options.readDeleted) {
      const [inst] = await this.hydrate(db, [row], options, extras);
      return inst!;
    }
    // A live instance's metadata came aggregated with the row; only a fault needs another read.
    const faults = options.withFault ? await this.faults.latestFor([uuid], db) : undefined;
    const pairs = (json: unknown) =>
      Object.entries(parseJsonObject(json)).map(([key, value]) => ({
        instance_uuid: uuid,
        key,
        value,
        deleted: 0,
      }));
    const [inst] = this.assemble(
      [row],
      extras,
      pairs(joined[0]![JOINED_METADATA]),
      pairs(joined[0]![JOINED_SYSTEM_METADATA]),
      faults,
    );
    return inst!;
  }

  private async hydrate(
    db: Db,
    rows: Record<string, unknown>[],
    options: InstanceLoadOptions,
    joinedExtras?: Record<string, unknown>[],
  ): Promise<InstanceRecord[]> {
    if (rows.length === 0) return [];
    const uuids = rows.map((r) => String(r.uuid));
    // Independent reads, asked together: on the pool they run side by side on separate connections (a
    // transaction's connection takes them in turn). Metadata and system metadata share one query.
    const [extras, pairRows, faults] = await Promise.all([
      joinedExtras ??
        db
          .selectFrom("instance_extra")
          .selectAll()
          .where("instance_uuid", "in", uuids)
          .orderBy("id")
          .execute(),
      this.pairs.for(uuids.length).rows(db, uuids),
      options.withFault ? this.faults.latestFor(uuids, db) : undefined,
    ]);
    return this.assemble(
      rows,
      extras,
      pairRows.filter((r) => Number(r.sys) === 0),
      pairRows.filter((r) => Number(r.sys) === 1),
      faults,
    );
  }

  // Instances from their rows: extras, metadata and system metadata of any instances (matched by uuid).
  private assemble(
    rows: Record<string, unknown>[],
    extras: Record<string, unknown>[],
    meta: Record<string, unknown>[],
    sys: Record<string, unknown>[],
    faults: Map<string, InstanceFault> | undefined,
  ): InstanceRecord[] {
    const byUuid = <T>(list: Record<string, unknown>[], fn: (r: Record<string, unknown>) => T) => {
      const m = new Map<string, T[]>();
      for (const r of list) {
        const k = String(r.instance_uuid);
        const group = m.get(k);
        if (group) group.push(fn(r));
        else m.set(k, [fn(r)]);
      }
      return m;
    };
    const extraBy = byUuid(extras, (r) => r);
    const metaBy = byUuid(meta, (r) => r);
    const sysBy = byUuid(sys, (r) => r);

    // Instances of one flavor carry the same serialized flavor: decoded once per read, the rows share the
    // result (read-only, as every decoded row is).
    const flavorsByBlob = new Map<string, Pick<InstanceRecord, "flavor" | "old_flavor" | "new_flavor">>();
    const dec = (p: NovaObjectPrimitive | null) => (p ? FlavorCodec.fromPrimitive(p) : null);
    const flavorsOf = (serialized: string) => {
      let decoded = flavorsByBlob.get(serialized);
      if (decoded === undefined) {
        const blob = JSON.parse(serialized) as FlavorBlob;
        decoded = { flavor: dec(blob.cur) ?? {}, old_flavor: dec(blob.old), new_flavor: dec(blob.new) };
        flavorsByBlob.set(serialized, decoded);
      }
      return decoded;
    };
    return rows.map((row) => {
      const obj = instanceColumns.fromRow(row) as Record<string, unknown>;
      const uuid = String(row.uuid);
      const deletedRow = Number(row.deleted) !== 0;
      // A deleted instance shows the extras and metadata it had when it was deleted (deleted in the same stroke).
      const live = (r: Record<string, unknown>) =>
        Number(r.deleted) === 0 || (deletedRow && String(r.deleted_at) === String(row.deleted_at));
      const extra = (extraBy.get(uuid) ?? []).filter(live).pop();
      Object.assign(obj, extraColumns.fromRow(extra ?? {}));
      if (obj.keypairs === null || obj.keypairs === undefined) delete obj.keypairs;
      for (const k of Object.keys(extraColumns.columns))
        if (k !== "keypairs" && obj[k] === undefined) obj[k] = null;
      Object.assign(obj, flavorsOf(extra?.flavor ? String(extra.flavor) : NO_FLAVORS));
      const pairs = (list: Record<string, unknown>[] | undefined) =>
        Object.fromEntries(
          (list ?? []).filter(live).map((r) => [String(r.key), r.value === null ? null : String(r.value)]),
        );
      obj.metadata = pairs(metaBy.get(uuid)) as Record<string, string>;
      obj.system_metadata = pairs(sysBy.get(uuid));
      if (faults) obj.fault = faults.get(uuid) ?? null;
      return obj as InstanceRecord;
    });
  }
}

// Where a live load puts the instance's metadata and system metadata: JSON objects of the live pairs.
const JOINED_METADATA = "m__metadata";
const JOINED_SYSTEM_METADATA = "m__system_metadata";

/** A live instance with its extra's columns prefixed and its metadata pairs as JSON objects: one statement. */
function loadLiveQuery(db: Db, uuid: string, dialect: "mysql" | "sqlite") {
  const agg = sql.raw(dialect === "mysql" ? "JSON_OBJECTAGG" : "json_group_object");
  const pairsOf = (table: string) =>
    sql<
      string | null
    >`(SELECT ${agg}(${sql.ref("p.key")}, ${sql.ref("p.value")}) FROM ${sql.table(table)} AS p WHERE p.instance_uuid = instances.uuid AND p.deleted = 0)`;
  return loadQuery(db, uuid, false).select([
    pairsOf("instance_metadata").as(JOINED_METADATA),
    pairsOf("instance_system_metadata").as(JOINED_SYSTEM_METADATA),
  ]);
}

// An aggregate's JSON object: parsed already by mysql2 (a JSON column), text from SQLite; {} for none.
function parseJsonObject(v: unknown): Record<string, string | null> {
  if (v === null || v === undefined || v === "") return {};
  return (typeof v === "string" ? JSON.parse(v) : v) as Record<string, string | null>;
}

/** One instance with its extra's columns prefixed (the read behind every save and object call). */
function loadQuery(db: Db, uuid: string, readDeleted: boolean) {
  let q = db
    .selectFrom("instances")
    .leftJoin("instance_extra", "instance_extra.instance_uuid", "instances.uuid")
    .selectAll("instances")
    .select(EXTRA_TABLE_COLUMNS.map((c) => `instance_extra.${c} as ${JOINED_EXTRA}${c}` as const))
    .where("instances.uuid", "=", uuid);
  if (!readDeleted) q = q.where("instances.deleted", "=", 0);
  // uuid is unique (deleted rows included): no ORDER BY/LIMIT, which can lure SQLite off the uuid index.
  return q;
}
