import { describe, expect, it } from "vitest";
import {
  checkInstanceQuota,
  configuredQuotaDefaults,
  effectiveQuotaLimits,
  quotaLimitProblem,
  settableQuotaRange,
} from "./quota-limits.js";

describe("quota rules", () => {
  it("layers limits: [quota], the default class, the project, the user", () => {
    const configured = configuredQuotaDefaults({ cores: 8 });
    expect(configured.floating_ips).toBe(-1);
    const limits = effectiveQuotaLimits(configured, {
      defaultClass: { cores: 9, ram: 100 },
      project: { ram: 200 },
      user: { instances: 1 },
    });
    expect(limits).toMatchObject({ cores: 9, ram: 200, instances: 1, key_pairs: 100 });
  });

  it("bounds a project's limit by its usage and its users' limits, a user's by what the project has left", () => {
    expect(
      settableQuotaRange({ projectLimit: 20, userLimitsInProject: [5, 5], inUse: 3, forUser: false }),
    ).toEqual({
      minimum: 10,
      maximum: -1,
    });
    expect(
      settableQuotaRange({
        projectLimit: 20,
        userLimitsInProject: [5, 5],
        inUse: 3,
        userLimit: 5,
        forUser: true,
      }),
    ).toEqual({ minimum: 3, maximum: 15 });
    expect(
      settableQuotaRange({ projectLimit: -1, userLimitsInProject: [5], inUse: 2, forUser: false }),
    ).toEqual({
      minimum: 2,
      maximum: -1,
    });
    expect(quotaLimitProblem("cores", -1, { minimum: 4, maximum: -1 })).toBeUndefined();
    expect(quotaLimitProblem("cores", 3, { minimum: 4, maximum: -1 })).toBe(
      "Quota limit 3 for cores must be greater than or equal to already used and reserved 4.",
    );
    expect(quotaLimitProblem("cores", 16, { minimum: 0, maximum: 15 })).toBe(
      "Quota limit 16 for cores must be less than or equal to 15.",
    );
  });

  it("follows Nova's headroom: unlimited cores follow the instances headroom, fewer servers when min_count allows", () => {
    const scope = {
      limits: { instances: 10, cores: -1, ram: 2048 },
      used: { instances: 2, cores: 40, ram: 1024 },
    };
    // 512 MiB each: 2 fit in the RAM left.
    expect(checkInstanceQuota([scope], { vcpus: 4, memoryMb: 512 }, 1, 5)).toEqual({ count: 2 });
    expect(checkInstanceQuota([scope], { vcpus: 4, memoryMb: 512 }, 3, 5)).toEqual({
      message: "Quota exceeded for ram: Requested 2560, but already used 1024 of 2048 ram",
    });
    expect(checkInstanceQuota([scope], { vcpus: 4, memoryMb: 0 }, 1, 5)).toEqual({ count: 5 });
  });
});
