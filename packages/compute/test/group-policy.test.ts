import type { InstanceGroup } from "@nova/objects";
import {
  adminContext,
  type ConductorObjectsAPI,
  GroupAffinityViolation,
  InstanceGroupNotFound,
} from "@nova/rpcapi";
import { describe, expect, it } from "vitest";
import { validateInstanceGroupPolicy } from "../src/group-policy.js";

const GROUP = "9d7a0000-0000-4000-8000-000000000001";
const SELF = "self-uuid";

/** The conductor's answers: the group, the instances on each host, and the members' hosts. */
function conductor(
  group: Partial<InstanceGroup> | null,
  onHost: Record<string, string[]>,
  memberHosts: string[],
) {
  const asked: string[] = [];
  const api = {
    async instanceGroupGetByHint(_ctx: unknown, hint: string) {
      asked.push(`get_by_hint ${hint}`);
      if (!group) throw new InstanceGroupNotFound({ group_uuid: hint });
      return group;
    },
    async instancesGetByHost(_ctx: unknown, host: string) {
      asked.push(`get_by_host ${host}`);
      return (onHost[host] ?? []).map((uuid) => ({ uuid }));
    },
    async instanceGroupGetHosts(_ctx: unknown, _g: unknown, exclude: readonly string[]) {
      asked.push(`get_hosts exclude=${exclude.join(",")}`);
      return memberHosts;
    },
  };
  return { api: api as unknown as ConductorObjectsAPI, asked };
}

const check = (c: ConductorObjectsAPI, host: string, hints: Record<string, unknown> | undefined) =>
  validateInstanceGroupPolicy(c, adminContext(), host, SELF, hints);

describe("the compute's late server group check (Nova's _validate_instance_group_policy)", () => {
  it("asks nothing without a group hint", async () => {
    const { api, asked } = conductor(null, {}, []);
    await check(api, "h1", undefined);
    await check(api, "h1", { same_host: ["x"] });
    expect(asked).toEqual([]);
  });

  it("lets a build through when the group is gone", async () => {
    const { api } = conductor(null, {}, []);
    await expect(check(api, "h1", { group: [GROUP] })).resolves.toBeUndefined();
  });

  it("anti-affinity: refuses a host holding another member, counting only members other than itself", async () => {
    const group = { uuid: GROUP, policy: "anti-affinity", _rules: {}, members: ["m1", SELF] };
    const busy = conductor(group, { h1: ["m1", SELF, "stranger"] }, []);
    const err = await check(busy.api, "h1", { group: [GROUP] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupAffinityViolation);
    expect((err as Error).message).toBe("Anti-affinity instance group policy was violated");
    const free = conductor(group, { h2: [SELF, "stranger"] }, []);
    await expect(check(free.api, "h2", { group: GROUP })).resolves.toBeUndefined();
    expect(free.asked).toEqual([`get_by_hint ${GROUP}`, "get_by_host h2"]);
  });

  it("anti-affinity with max_server_per_host allows that many other members", async () => {
    const group = {
      uuid: GROUP,
      policy: "anti-affinity",
      _rules: { max_server_per_host: "2" },
      members: ["m1", "m2", SELF],
    };
    await expect(
      check(conductor(group, { h1: ["m1"] }, []).api, "h1", { group: [GROUP] }),
    ).resolves.toBeUndefined();
    await expect(
      check(conductor(group, { h1: ["m1", "m2"] }, []).api, "h1", { group: [GROUP] }),
    ).rejects.toBeInstanceOf(GroupAffinityViolation);
  });

  it("affinity: refuses a host other than where the other members run, and takes any host for the first", async () => {
    const group = { uuid: GROUP, policy: "affinity", _rules: {}, members: ["m1", SELF] };
    const elsewhere = conductor(group, {}, ["h1"]);
    const err = await check(elsewhere.api, "h2", { group: [GROUP] }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("Affinity instance group policy was violated");
    expect(elsewhere.asked).toContain(`get_hosts exclude=${SELF}`);
    await expect(check(conductor(group, {}, ["h1"]).api, "h1", { group: [GROUP] })).resolves.toBeUndefined();
    await expect(check(conductor(group, {}, []).api, "h2", { group: [GROUP] })).resolves.toBeUndefined();
  });

  it("soft policies are the weighers' business: never refused here", async () => {
    for (const policy of ["soft-affinity", "soft-anti-affinity"]) {
      const { api, asked } = conductor({ uuid: GROUP, policy, members: ["m1"] }, { h1: ["m1"] }, ["h9"]);
      await expect(check(api, "h1", { group: [GROUP] })).resolves.toBeUndefined();
      expect(asked).toEqual([`get_by_hint ${GROUP}`]);
    }
  });
});
