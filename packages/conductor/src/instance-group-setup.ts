import { hasErrorCode } from "@nova/core";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import type { RequestSpec } from "@nova/objects";

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
  const hosts = new Set(asked.hosts ?? []);
  if (members.length > 0) {
    const found = await Promise.all(cells.map((db) => db.instances.list({ uuid: members })));
    for (const instance of found.flat()) if (instance.host) hosts.add(instance.host);
  }
  return { ...spec, instance_group: { ...group, members, hosts: [...hosts] } };
}
