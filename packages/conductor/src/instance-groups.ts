import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { type InstanceGroup, InstanceGroupCodec, type RequestSpec } from "@nova/objects";
import { InstanceGroupNotFound } from "@nova/rpcapi";

// Server groups as the conductor serves them: the request spec's group completed before scheduling, and the
// two InstanceGroup methods nova-compute's late affinity check calls through the conductor.

/** The distinct hosts of the live (not deleted) instances among `members`, leaving out `exclude`. */
export async function memberHosts(
  cells: readonly CellDatabase[],
  members: readonly string[],
  exclude: readonly string[] = [],
): Promise<string[]> {
  const skip = new Set(exclude);
  const wanted = members.filter((m) => !skip.has(m));
  if (wanted.length === 0) return [];
  const found = await Promise.all(cells.map((db) => db.instances.list({ uuid: wanted })));
  const hosts = new Set<string>();
  for (const instance of found.flat()) if (instance.host) hosts.add(instance.host);
  return [...hosts];
}

/**
 * Nova's `scheduler_utils.setup_instance_group`: the request spec's server group as it is now (the API
 * wrote it at boot; other members may have landed since), with `hosts` set to where its live members run
 * (plus any hosts the spec already carried). Without a group, or if the group is gone, the spec is unchanged.
 */
export async function setupInstanceGroup(
  apiDb: ApiDatabase,
  cells: readonly CellDatabase[],
  spec: Partial<RequestSpec>,
): Promise<Partial<RequestSpec>> {
  const asked = spec.instance_group;
  if (!asked?.uuid) return spec;
  let group: Awaited<ReturnType<ApiDatabase["serverGroups"]["get"]>>;
  try {
    group = await apiDb.serverGroups.get(asked.uuid);
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) return spec;
    throw err;
  }
  const members = group.members ?? [];
  const hosts = new Set([...(asked.hosts ?? []), ...(await memberHosts(cells, members))]);
  return { ...spec, instance_group: { ...group, members, hosts: [...hosts] } };
}

/**
 * `InstanceGroup.get_by_hint(hint)`: the group (policy, rules, members; hosts not loaded, as Nova's) by
 * uuid (the API takes only uuids in the `group` hint, so names are not looked up); InstanceGroupNotFound.
 */
export async function instanceGroupByHint(apiDb: ApiDatabase | undefined, hint: string): Promise<unknown> {
  if (!apiDb) throw new InstanceGroupNotFound({ group_uuid: hint });
  try {
    const group: Partial<InstanceGroup> = await apiDb.serverGroups.get(hint);
    return InstanceGroupCodec.toPrimitive(group);
  } catch (err) {
    if (hasErrorCode(err, "DB_NOT_FOUND")) throw new InstanceGroupNotFound({ group_uuid: hint });
    throw err;
  }
}
