import type { ConductorObjectsAPI, NovaContext } from "@nova/rpcapi";
import { GroupAffinityViolation, InstanceGroupNotFound } from "@nova/rpcapi";

/** The `group` scheduler hint: the request spec keeps hints as lists, so the first of a list. */
function groupHint(hints: Record<string, unknown> | undefined): string | null {
  const g = hints?.group;
  const v = Array.isArray(g) ? g[0] : g;
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * Nova's `_validate_instance_group_policy`, the late check before a spawn: the scheduler enforces group
 * policies, but concurrent boots can each pick a host before seeing the other, so the compute re-reads the
 * group and refuses (GroupAffinityViolation, which the build turns into a reschedule) when starting the
 * instance here would break it. Anti-affinity: no more than `max_server_per_host` (1) other members on this
 * host. Affinity: this host must be one of the other members' hosts, if they have any.
 */
export async function validateInstanceGroupPolicy(
  conductor: ConductorObjectsAPI,
  ctx: NovaContext,
  host: string,
  instanceUuid: string,
  schedulerHints: Record<string, unknown> | undefined,
): Promise<void> {
  const hint = groupHint(schedulerHints);
  if (hint === null) return;
  let group: Awaited<ReturnType<ConductorObjectsAPI["instanceGroupGetByHint"]>>;
  try {
    group = await conductor.instanceGroupGetByHint(ctx, hint);
  } catch (err) {
    if (err instanceof InstanceGroupNotFound) return;
    throw err;
  }
  const policy = group.policy ?? group.policies?.[0];
  const members = new Set(group.members ?? []);
  members.delete(instanceUuid);
  if (policy === "anti-affinity") {
    const onHost = await conductor.instancesGetByHost(ctx, host);
    const others = onHost.filter((i) => i.uuid !== undefined && members.has(i.uuid)).length;
    const max = Number(group._rules?.max_server_per_host ?? 1);
    if (others >= max) {
      throw new GroupAffinityViolation({ instance_uuid: instanceUuid, policy: "Anti-affinity" });
    }
  } else if (policy === "affinity") {
    const hosts = await conductor.instanceGroupGetHosts(ctx, group, [instanceUuid]);
    if (hosts.length > 0 && !hosts.includes(host)) {
      throw new GroupAffinityViolation({ instance_uuid: instanceUuid, policy: "Affinity" });
    }
  }
}
