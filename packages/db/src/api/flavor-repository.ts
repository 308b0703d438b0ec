import type { Flavor } from "@nova/objects";
import { type ExpressionBuilder, sql } from "kysely";
import { columnMap } from "../column-map.js";
import { DuplicateEntryError } from "../errors/duplicate-entry-error.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { MarkerNotFoundError } from "../errors/query-error.js";
import type { Db, LooseSchema, NovaDatabase } from "../nova-database.js";
import { afterMarker, type PageOptions, resolveSort } from "../pagination.js";

const flavorColumns = columnMap({
  id: "int",
  name: "string",
  flavorid: "string",
  memory_mb: "int",
  vcpus: "int",
  root_gb: "int",
  ephemeral_gb: "int",
  swap: "int",
  rxtx_factor: "float",
  vcpu_weight: "int",
  disabled: "bool",
  is_public: "bool",
  description: "string",
  created_at: "date",
  updated_at: "date",
});

/** What creating a flavor needs. */
export type FlavorCreate = Pick<Flavor, "name" | "flavorid" | "memory_mb" | "vcpus" | "root_gb"> &
  Partial<
    Pick<
      Flavor,
      | "ephemeral_gb"
      | "swap"
      | "rxtx_factor"
      | "vcpu_weight"
      | "disabled"
      | "is_public"
      | "description"
      | "extra_specs"
      | "projects"
    >
  >;

/** Flavor list filters (Nova's flavor_get_all). */
export interface FlavorFilters {
  /** Only public (true) or only private (false) flavors. */
  is_public?: boolean;
  /** Only disabled (true) or only enabled (false) flavors. */
  disabled?: boolean;
  /** Only flavors with at least this much memory (MB). */
  min_memory_mb?: number;
  /** Only flavors with at least this much root disk (GB). */
  min_root_gb?: number;
  /**
   * The caller's project: with `is_public` true, the private flavors this project was given access to are
   * listed too (Nova's flavor_get_all). With `visible_to_project` the whole list is limited to public
   * flavors and those this project may use (what Nova applies to non-admin contexts).
   */
  project_id?: string;
  /** Limit the list to what `project_id` may see (public or shared with it), as for a non-admin. */
  visible_to_project?: boolean;
}

/** Sort keys of flavor lists. */
export const FLAVOR_SORT_KEYS = [
  "id",
  "flavorid",
  "name",
  "memory_mb",
  "vcpus",
  "root_gb",
  "created_at",
] as const;

/** Flavors of the API database, with their extra specs and project access. */
export class FlavorRepository {
  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /**
   * Creates a flavor; DuplicateEntryError with entity `FlavorId` for a taken flavorid, `Flavor` for a taken
   * name (Nova's FlavorIdExists and FlavorExists).
   */
  create(values: FlavorCreate): Promise<Flavor> {
    const now = this.d.now();
    return this.d.transaction(async (trx) => {
      // Which constraint a duplicate hits decides Nova's message; the unique keys still guard races.
      const taken = await trx
        .selectFrom("flavors")
        .select(["flavorid", "name"])
        .where((eb) => eb.or([eb("flavorid", "=", values.flavorid), eb("name", "=", values.name ?? "")]))
        .execute();
      if (taken.some((r) => r.flavorid === values.flavorid)) {
        throw new DuplicateEntryError("FlavorId", String(values.flavorid));
      }
      if (taken.length > 0) throw new DuplicateEntryError("Flavor", String(values.name));
      const res = await trx
        .insertInto("flavors")
        .values(
          flavorColumns.toRow({
            ephemeral_gb: 0,
            swap: 0,
            rxtx_factor: 1.0,
            vcpu_weight: null,
            disabled: false,
            is_public: true,
            description: null,
            ...values,
            created_at: now,
          }),
        )
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      const specs = Object.entries(values.extra_specs ?? {}).map(([key, value]) => ({
        flavor_id: id,
        key,
        value,
      }));
      if (specs.length > 0) await trx.insertInto("flavor_extra_specs").values(specs).execute();
      const projects = (values.projects ?? []).map((project_id) => ({ flavor_id: id, project_id }));
      if (projects.length > 0) await trx.insertInto("flavor_projects").values(projects).execute();
      return this.one(trx, "id", id);
    }, "Flavor");
  }

  /** By the flavor's public id (what the API calls the flavor id). */
  getByFlavorId(flavorid: string): Promise<Flavor> {
    return this.d.run((db) => this.one(db, "flavorid", flavorid));
  }

  /** By internal id. */
  get(id: number): Promise<Flavor> {
    return this.d.run((db) => this.one(db, "id", id));
  }

  /** By name. */
  getByName(name: string): Promise<Flavor> {
    return this.d.run((db) => this.one(db, "name", name));
  }

  /** Flavors matching the filters, sorted (default flavorid asc) and paginated by flavorid marker; 3 queries. */
  list(
    filters: FlavorFilters = {},
    page: PageOptions<(typeof FLAVOR_SORT_KEYS)[number]> = {},
  ): Promise<Flavor[]> {
    return this.d.run(async (db) => {
      const sort = resolveSort("flavors", FLAVOR_SORT_KEYS, page, { keys: ["flavorid"], dir: "asc" });
      let q = db.selectFrom("flavors").selectAll("flavors");
      if (filters.disabled !== undefined) q = q.where("flavors.disabled", "=", filters.disabled ? 1 : 0);
      if (filters.min_memory_mb !== undefined) q = q.where("flavors.memory_mb", ">=", filters.min_memory_mb);
      if (filters.min_root_gb !== undefined) q = q.where("flavors.root_gb", ">=", filters.min_root_gb);
      const pid = filters.project_id;
      const publicOrShared = (eb: ExpressionBuilder<LooseSchema, "flavors">, project: string) =>
        eb.or([
          eb("flavors.is_public", "=", 1),
          eb.exists(
            eb
              .selectFrom("flavor_projects")
              .select("flavor_projects.id")
              .whereRef("flavor_projects.flavor_id", "=", "flavors.id")
              .where("flavor_projects.project_id", "=", project),
          ),
        ]);
      if (filters.is_public === true && pid !== undefined) q = q.where((eb) => publicOrShared(eb, pid));
      else if (filters.is_public !== undefined)
        q = q.where("flavors.is_public", "=", filters.is_public ? 1 : 0);
      if (filters.visible_to_project && pid !== undefined) q = q.where((eb) => publicOrShared(eb, pid));
      if (page.marker !== undefined) {
        const marker = await db
          .selectFrom("flavors")
          .selectAll()
          .where("flavorid", "=", page.marker)
          .executeTakeFirst();
        if (!marker) throw new MarkerNotFoundError(page.marker);
        q = q.where(afterMarker(sort, marker));
      }
      for (const s of sort) q = q.orderBy(s.col as "flavors.id", s.dir);
      if (page.limit !== undefined) q = q.limit(page.limit);
      return this.hydrate(db, await q.execute());
    });
  }

  /** Adds or replaces extra specs. */
  updateExtraSpecs(flavorid: string, specs: Record<string, string>): Promise<Flavor> {
    return this.d.transaction(async (trx) => {
      const flavor = await this.one(trx, "flavorid", flavorid);
      for (const [key, value] of Object.entries(specs)) {
        await trx
          .deleteFrom("flavor_extra_specs")
          .where("flavor_id", "=", flavor.id)
          .where("key", "=", key)
          .execute();
        await trx.insertInto("flavor_extra_specs").values({ flavor_id: flavor.id, key, value }).execute();
      }
      return this.one(trx, "id", flavor.id);
    }, "Flavor");
  }

  /** Sets the description (Nova 2.55); NotFoundError for an unknown flavor. */
  updateDescription(flavorid: string, description: string | null): Promise<Flavor> {
    return this.d.transaction(async (trx) => {
      const res = await trx
        .updateTable("flavors")
        .set(flavorColumns.toRow({ description, updated_at: this.d.now() }))
        .where("flavorid", "=", flavorid)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError("Flavor", flavorid);
      return this.one(trx, "flavorid", flavorid);
    }, "Flavor");
  }

  /**
   * Gives a project access to a flavor; NotFoundError for an unknown flavor, DuplicateEntryError (entity
   * `FlavorAccess`) when it already has it.
   */
  addAccess(flavorid: string, projectId: string): Promise<Flavor> {
    return this.d.transaction(async (trx) => {
      const flavor = await this.one(trx, "flavorid", flavorid);
      if (flavor.projects.includes(projectId)) throw new DuplicateEntryError("FlavorAccess", projectId);
      await trx
        .insertInto("flavor_projects")
        .values({ flavor_id: flavor.id, project_id: projectId })
        .execute();
      return this.one(trx, "id", flavor.id);
    }, "FlavorAccess");
  }

  /** Takes a project's access away; NotFoundError (entity `Flavor` or `FlavorAccess`) when absent. */
  removeAccess(flavorid: string, projectId: string): Promise<Flavor> {
    return this.d.transaction(async (trx) => {
      const flavor = await this.one(trx, "flavorid", flavorid);
      const res = await trx
        .deleteFrom("flavor_projects")
        .where("flavor_id", "=", flavor.id)
        .where("project_id", "=", projectId)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0)
        throw new NotFoundError("FlavorAccess", `${flavorid}/${projectId}`);
      return this.one(trx, "id", flavor.id);
    });
  }

  /** Removes one extra spec; NotFoundError when absent. */
  deleteExtraSpec(flavorid: string, key: string): Promise<void> {
    return this.d.transaction(async (trx) => {
      const flavor = await this.one(trx, "flavorid", flavorid);
      const res = await trx
        .deleteFrom("flavor_extra_specs")
        .where("flavor_id", "=", flavor.id)
        .where("key", "=", key)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new NotFoundError("FlavorExtraSpec", `${flavorid}/${key}`);
    });
  }

  /** Deletes a flavor (instances keep their own copy, as in Nova). */
  delete(flavorid: string): Promise<void> {
    return this.d.transaction(async (trx) => {
      const flavor = await this.one(trx, "flavorid", flavorid);
      await trx.deleteFrom("flavor_extra_specs").where("flavor_id", "=", flavor.id).execute();
      await trx.deleteFrom("flavor_projects").where("flavor_id", "=", flavor.id).execute();
      await trx.deleteFrom("flavors").where("id", "=", flavor.id).execute();
    });
  }

  private async one(db: Db, key: "id" | "flavorid" | "name", value: string | number): Promise<Flavor> {
    const rows = await db.selectFrom("flavors").selectAll().where(key, "=", value).execute();
    const [flavor] = await this.hydrate(db, rows);
    if (!flavor) throw new NotFoundError("Flavor", String(value));
    return flavor;
  }

  private async hydrate(db: Db, rows: Record<string, unknown>[]): Promise<Flavor[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    // Extra specs and access rows in one statement (one round trip, not two), each row tagged by its table.
    const related = await db
      .selectFrom("flavor_extra_specs")
      .select([sql<string>`'spec'`.as("kind"), "flavor_id", "key", "value"])
      .where("flavor_id", "in", ids)
      .unionAll(
        db
          .selectFrom("flavor_projects")
          .select([
            sql<string>`'project'`.as("kind"),
            "flavor_id",
            "project_id as key",
            sql<string | null>`NULL`.as("value"),
          ])
          .where("flavor_id", "in", ids),
      )
      .execute();
    const specs = related.filter((r) => r.kind === "spec");
    const projects = related.filter((r) => r.kind === "project").map((r) => ({ ...r, project_id: r.key }));
    return rows.map((row) => {
      const id = Number(row.id);
      return {
        ...flavorColumns.fromRow(row),
        extra_specs: Object.fromEntries(
          specs.filter((s) => Number(s.flavor_id) === id).map((s) => [String(s.key), String(s.value)]),
        ),
        projects: projects.filter((p) => Number(p.flavor_id) === id).map((p) => String(p.project_id)),
        deleted_at: null,
        deleted: false,
      } as Flavor;
    });
  }
}
