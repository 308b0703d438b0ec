import type { Flavor } from "@nova/objects";
import { describe, expect, it } from "vitest";
import { isMigrationDone, migrationHeldClaim } from "./migration-claims.js";

const tiny = { id: 1, vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0 } as Flavor;
const small = { id: 2, vcpus: 2, memory_mb: 1024, root_gb: 2, ephemeral_gb: 0, swap: 0 } as Flavor;

// The other side of a move: what the migration holds besides the instance's own claim.
describe("migrationHeldClaim", () => {
  const resize = {
    source_compute: "a",
    source_node: "a",
    dest_compute: "b",
    dest_node: "b",
    old_instance_type_id: 1,
    new_instance_type_id: 2,
  };

  it("holds the destination's new size while the instance is on the source, the source's old size after", () => {
    const onSource = { host: "a", flavor: tiny, old_flavor: tiny, new_flavor: small };
    expect(migrationHeldClaim(resize, onSource)).toEqual({
      host: "b",
      node: "b",
      resources: { vcpus: 2, memory_mb: 1024, local_gb: 2 },
    });
    const onDest = { host: "b", flavor: small, old_flavor: tiny, new_flavor: small };
    expect(migrationHeldClaim(resize, onDest)).toEqual({
      host: "a",
      node: "a",
      resources: { vcpus: 1, memory_mb: 512, local_gb: 1 },
    });
  });

  it("tells the sides of a same-host resize by flavor and of a cold migration by host", () => {
    const sameHost = { ...resize, dest_compute: "a", dest_node: "a" };
    expect(
      migrationHeldClaim(sameHost, { host: "a", flavor: tiny, new_flavor: small })?.resources.vcpus,
    ).toBe(2);
    expect(
      migrationHeldClaim(sameHost, { host: "a", flavor: small, old_flavor: tiny })?.resources.vcpus,
    ).toBe(1);
    const cold = { ...resize, new_instance_type_id: 1 };
    expect(migrationHeldClaim(cold, { host: "a", flavor: tiny, new_flavor: tiny })?.host).toBe("b");
    expect(migrationHeldClaim(cold, { host: "b", flavor: tiny, old_flavor: tiny })?.host).toBe("a");
  });

  it("holds nothing before the destination is known", () => {
    const unplaced = { ...resize, dest_compute: null, dest_node: null };
    expect(migrationHeldClaim(unplaced, { host: "a", flavor: tiny, new_flavor: small })).toBeNull();
  });

  it("knows which statuses end a move", () => {
    expect(isMigrationDone("confirmed")).toBe(true);
    expect(isMigrationDone("error")).toBe(true);
    expect(isMigrationDone("finished")).toBe(false);
    expect(isMigrationDone("pre-migrating")).toBe(false);
  });
});
