import { randomUUID } from "node:crypto";
import type { InstanceGroup } from "@nova/objects";
import { fromSqlDate, toSqlDate } from "../column-map.js";
import { NotFoundError } from "../errors/not-found-error.js";
import type { Db, NovaDatabase } from "../nova-database.js";
import { PreparedStatement } from "../prepared-statement.js";

/** A server group as stored (hosts are computed from members' instances by Nova, so not stored). */
export type ServerGroupRecord = Omit<InstanceGroup, "hosts">;

/** What creating a server group needs. */
export interface ServerGroupCreate {
  /** The group's uuid (generated when absent). */
  uuid?: string;
  /** Display name. */
  name: string;
  /** Owner. */
  user_id: string;
  /** Owning project. */
  project_id: string;
  /** affinity, anti-affinity, soft-affinity or soft-anti-affinity. */
  policy: string;
  /** Policy rules (max_server_per_host). */
  rules?: Record<string, string>;
  /** Instance uuids already in the group. */
  members?: string[];
}

/** Server groups (instance groups) with their policy, rules and members. */
export class ServerGroupRepository {
  // Every server view from 2.71 reads it: compiled once.
  private readonly groupUuidsStatement = new PreparedStatement((db, slot) =>
    db
      .selectFrom("instance_group_member")
      .innerJoin("instance_groups", "instance_groups.id", "instance_group_member.group_id")
      .select("instance_groups.uuid")
      .where("instance_group_member.instance_uuid", "=", slot(0)),
  );

  /** A repository over the API database. */
  constructor(private readonly d: NovaDatabase) {}

  /** Creates a group with its policy and initial members. */
  create(values: ServerGroupCreate): Promise<ServerGroupRecord> {
    const now = toSqlDate(this.d.now());
    const uuid = values.uuid ?? randomUUID();
    return this.d.transaction(async (trx) => {
      const res = await trx
        .insertInto("instance_groups")
        .values({
          uuid,
          name: values.name,
          user_id: values.user_id,
          project_id: values.project_id,
          created_at: now,
        })
        .executeTakeFirstOrThrow();
      const id = Number(res.insertId);
      await trx
        .insertInto("instance_group_policy")
        .values({
          group_id: id,
          policy: values.policy,
          rules: JSON.stringify(values.rules ?? {}),
          created_at: now,
        })
        .execute();
      const members = (values.members ?? []).map((m) => ({
        group_id: id,
        instance_uuid: m,
        created_at: now,
      }));
      if (members.length > 0) await trx.insertInto("instance_group_member").values(members).execute();
      return this.load(trx, uuid);
    }, "InstanceGroup");
  }

  /** A group by uuid. */
  get(uuid: string): Promise<ServerGroupRecord> {
    return this.d.run((db) => this.load(db, uuid));
  }

  /** The group an instance belongs to, or null. */
  getByInstance(instanceUuid: string): Promise<ServerGroupRecord | null> {
    return this.d.run(async (db) => {
      const m = await db
        .selectFrom("instance_group_member")
        .innerJoin("instance_groups", "instance_groups.id", "instance_group_member.group_id")
        .select("instance_groups.uuid")
        .where("instance_group_member.instance_uuid", "=", instanceUuid)
        .executeTakeFirst();
      return m ? this.load(db, String(m.uuid)) : null;
    });
  }

  /** The uuids of the groups an instance is in (one query; a server shows them from 2.71). */
  groupUuidsOf(instanceUuid: string): Promise<string[]> {
    return this.d.run(async (db) => {
      const rows = await this.groupUuidsStatement.rows(db, [instanceUuid]);
      return rows.map((r) => String(r.uuid));
    });
  }

  /** Adds members (instance uuids); ones already there are kept once. */
  addMembers(uuid: string, instanceUuids: readonly string[]): Promise<ServerGroupRecord> {
    const now = toSqlDate(this.d.now());
    return this.d.transaction(async (trx) => {
      const g = await this.load(trx, uuid);
      const fresh = [...new Set(instanceUuids)].filter((u) => !(g.members ?? []).includes(u));
      if (fresh.length > 0) {
        await trx
          .insertInto("instance_group_member")
          .values(fresh.map((m) => ({ group_id: g.id, instance_uuid: m, created_at: now })))
          .execute();
      }
      return this.load(trx, uuid);
    }, "InstanceGroup");
  }

  /** Removes members. */
  removeMembers(uuid: string, instanceUuids: readonly string[]): Promise<void> {
    return this.d.transaction(async (trx) => {
      const g = await this.load(trx, uuid);
      if (instanceUuids.length > 0) {
        await trx
          .deleteFrom("instance_group_member")
          .where("group_id", "=", g.id)
          .where("instance_uuid", "in", [...instanceUuids])
          .execute();
      }
    });
  }

  /** Removes an instance from every group it is in (the server is deleted). */
  removeInstance(instanceUuid: string): Promise<void> {
    return this.d.run(async (db) => {
      await db.deleteFrom("instance_group_member").where("instance_uuid", "=", instanceUuid).execute();
    });
  }

  /**
   * How many of a group's members a user owns and has not deleted (Nova's `count_members_by_user`, the
   * `server_group_members` usage): members whose instance mapping is the user's and not queued for delete.
   */
  countMembersByUser(uuid: string, userId: string): Promise<number> {
    return this.d.run(async (db) => {
      const r = await db
        .selectFrom("instance_group_member")
        .innerJoin("instance_groups", "instance_groups.id", "instance_group_member.group_id")
        .innerJoin(
          "instance_mappings",
          "instance_mappings.instance_uuid",
          "instance_group_member.instance_uuid",
        )
        .select((eb) => eb.fn.countAll().as("n"))
        .where("instance_groups.uuid", "=", uuid)
        .where("instance_mappings.user_id", "=", userId)
        .where("instance_mappings.queued_for_delete", "=", 0)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    });
  }

  /** Groups of a project (all projects when undefined), by id; 3 queries. */
  list(projectId?: string, page: { limit?: number; offset?: number } = {}): Promise<ServerGroupRecord[]> {
    return this.d.run(async (db) => {
      let q = db.selectFrom("instance_groups").selectAll();
      if (projectId !== undefined) q = q.where("project_id", "=", projectId);
      q = q.orderBy("id");
      if (page.limit !== undefined) q = q.limit(page.limit);
      if (page.offset !== undefined) q = q.offset(page.offset);
      return this.hydrate(db, await q.execute());
    });
  }

  /** How many groups a project has (quota usage). */
  count(projectId: string): Promise<number> {
    return this.d.run(async (db) => {
      const r = await db
        .selectFrom("instance_groups")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("project_id", "=", projectId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    });
  }

  /** Deletes a group and its policy and members. */
  delete(uuid: string): Promise<void> {
    return this.d.transaction(async (trx) => {
      const g = await this.load(trx, uuid);
      await trx.deleteFrom("instance_group_member").where("group_id", "=", g.id).execute();
      await trx.deleteFrom("instance_group_policy").where("group_id", "=", g.id).execute();
      await trx.deleteFrom("instance_groups").where("id", "=", g.id).execute();
    });
  }

  private async load(db: Db, uuid: string): Promise<ServerGroupRecord> {
    const [g] = await this.hydrate(
      db,
      await db.selectFrom("instance_groups").selectAll().where("uuid", "=", uuid).execute(),
    );
    if (!g) throw new NotFoundError("InstanceGroup", uuid);
    return g;
  }

  private async hydrate(db: Db, rows: Record<string, unknown>[]): Promise<ServerGroupRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const policies = await db
      .selectFrom("instance_group_policy")
      .selectAll()
      .where("group_id", "in", ids)
      .execute();
    const members = await db
      .selectFrom("instance_group_member")
      .select(["group_id", "instance_uuid"])
      .where("group_id", "in", ids)
      .orderBy("id")
      .execute();
    return rows.map((r) => {
      const id = Number(r.id);
      const p = policies.find((x) => Number(x.group_id) === id);
      const policy = p?.policy ? String(p.policy) : null;
      return {
        id,
        uuid: String(r.uuid),
        name: r.name === null ? null : String(r.name),
        user_id: r.user_id === null ? null : String(r.user_id),
        project_id: r.project_id === null ? null : String(r.project_id),
        policy,
        policies: policy ? [policy] : [],
        _rules: p?.rules ? (JSON.parse(String(p.rules)) as Record<string, string>) : {},
        members: members.filter((m) => Number(m.group_id) === id).map((m) => String(m.instance_uuid)),
        created_at: fromSqlDate(r.created_at),
        updated_at: fromSqlDate(r.updated_at),
        deleted_at: null,
        deleted: false,
      };
    });
  }
}
