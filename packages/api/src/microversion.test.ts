import { describe, expect, it } from "vitest";
import { negotiateMicroversion } from "./microversion.js";

function version(headers: Record<string, string | string[]>): string {
  const result = negotiateMicroversion(headers);
  return result.ok ? result.version.toString() : `${result.fault.status}`;
}

describe("negotiateMicroversion (microversion_parse + Nova's range check)", () => {
  it("defaults to 2.1 and reads either header, the new one first", () => {
    expect(version({})).toBe("2.1");
    expect(version({ "x-openstack-nova-api-version": "2.12" })).toBe("2.12");
    expect(version({ "openstack-api-version": "compute 2.30", "x-openstack-nova-api-version": "2.12" })).toBe(
      "2.30",
    );
  });
  it("picks the compute entry of a multi-service header, the last one winning", () => {
    expect(version({ "openstack-api-version": "volume 3.5, compute 2.40" })).toBe("2.40");
    expect(version({ "openstack-api-version": ["compute 2.40", "compute 2.41"] })).toBe("2.41");
    expect(version({ "openstack-api-version": "volume 3.5", "x-openstack-nova-api-version": "2.7" })).toBe(
      "2.7",
    );
  });
  it("understands latest in any case", () => {
    expect(version({ "openstack-api-version": "compute LATEST" })).toBe("2.93");
  });
  it("answers 400 for a malformed version and 406 out of range", () => {
    for (const bad of ["2", "2.01", "02.1", "2.1.1", "two", "2.", "-2.1"]) {
      expect(version({ "openstack-api-version": `compute ${bad}` }), bad).toBe("400");
    }
    expect(version({ "openstack-api-version": "compute 2.0" })).toBe("406");
    expect(version({ "openstack-api-version": "compute 3.1" })).toBe("406");
    expect(version({ "openstack-api-version": "compute 2.94" })).toBe("406");
  });
});
