import { describe, expect, it } from "vitest";
import {
  hostZone,
  hostZones,
  serviceZone,
  type ZonedAggregate,
  zoneChangeRefusal,
} from "./availability-zones.js";

const aggs: (ZonedAggregate & { name: string })[] = [
  { id: 1, name: "a", hosts: ["h1", "h2"], metadata: { availability_zone: "az1" } },
  { id: 2, name: "b", hosts: ["h2"], metadata: { ssd: "true" } },
  { id: 3, name: "c", hosts: ["h3"], metadata: { availability_zone: "az2" } },
];

describe("availability zone rules", () => {
  it("zones a compute by its aggregates, else the default; other services are internal", () => {
    expect(hostZones(aggs, "h2")).toEqual(["az1"]);
    expect(serviceZone("nova-compute", "h1", aggs, "nova")).toBe("az1");
    expect(serviceZone("nova-compute", "h9", aggs, "nova")).toBe("nova");
    expect(serviceZone("nova-conductor", "h1", aggs, "nova")).toBe("internal");
    expect(hostZone(aggs, "h3", "nova")).toBe("az2");
    expect(hostZone(aggs, "h9", "nova")).toBe("nova");
  });

  it("refuses an empty zone and a host already in another zone", () => {
    expect(zoneChangeRefusal(aggs, aggs[1]!, "")).toBe(
      "Aggregate b does not support empty named availability zone",
    );
    expect(zoneChangeRefusal(aggs, aggs[1]!, "az9")).toBe(
      "One or more hosts already in availability zone(s) ['az1']",
    );
    expect(zoneChangeRefusal(aggs, aggs[1]!, "az1")).toBeNull();
    expect(zoneChangeRefusal(aggs, aggs[2]!, "az2", ["h1"])).toBe(
      "One or more hosts already in availability zone(s) ['az1']",
    );
    expect(zoneChangeRefusal(aggs, aggs[0]!, "az5")).toBeNull();
  });
});
