import { readFileSync } from "node:fs";
import {
  InvalidKeyPairError,
  KeyPairExistsError,
  KeyPairNotFoundError,
  MarkerNotFoundError,
  QuotaExceededError,
} from "@nova/api";
import { makeCreateServerSpec, makeRequestContext } from "@nova/api/test";
import { FakeClock } from "@nova/core/test";
import type { ApiDatabase, CellDatabase } from "@nova/db";
import { LocalImageCatalog } from "@nova/image-catalog";
import type { ComputeAPI, ComputeTaskAPI } from "@nova/rpcapi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabases } from "../test/test-databases.js";
import { DbComputeBackend } from "./db-compute-backend.js";

const IMAGE = "8a0f9a8c-0b1e-4cfa-9a3b-1a2b3c4d5e6f";
const RSA = readFileSync(new URL("../../api/src/__fixtures__/key-pairs/rsa.pub", import.meta.url), "utf8");
const alice = makeRequestContext({ userId: "alice", projectId: "p1" });
const admin = makeRequestContext({ userId: "admin", projectId: "admin", isAdmin: true, roles: ["admin"] });

describe("DbComputeBackend key pairs (Nova's KeypairAPI over the API database)", () => {
  let apiDb: ApiDatabase;
  let cellDb: CellDatabase;
  let backend: DbComputeBackend;
  let builds: unknown[];

  beforeEach(async () => {
    let cellUuid: string;
    ({ apiDb, cellDb, cellUuid } = await openTestDatabases());
    builds = [];
    // Only the boot's cast is exercised here: the conductor's side records what it was handed.
    const computeTask = {
      scheduleAndBuildInstances: async (_ctx: unknown, args: unknown) => void builds.push(args),
    } as unknown as ComputeTaskAPI;
    backend = new DbComputeBackend({
      clock: new FakeClock(Date.parse("2026-11-27T08:00:00Z")),
      apiDb,
      cellDb,
      cellUuid,
      computeTask,
      compute: {} as ComputeAPI,
      images: new LocalImageCatalog([{ id: IMAGE, name: "cirros", min_ram: 0, min_disk: 0 }]),
      config: { serviceDownTime: 60, defaultAvailabilityZone: "nova", instanceNameTemplate: "instance-%08x" },
    });
  });
  afterEach(async () => {
    await apiDb.close();
    await cellDb.close();
  });

  const importKey = (name: string, userId = "alice", ctx = alice, publicKey: string | null = RSA) =>
    backend.createKeyPair(ctx, { userId, name, type: "ssh", publicKey });

  it("imports a key with Nova's fingerprint and reads it back", async () => {
    const { keyPair, privateKey } = await importKey("k1");
    expect(privateKey).toBeNull();
    expect(keyPair).toMatchObject({
      name: "k1",
      userId: "alice",
      type: "ssh",
      publicKey: RSA,
      fingerprint: "29:6e:b6:42:46:5b:8c:b9:14:2c:9d:6e:4a:be:a6:58",
    });
    expect(await backend.getKeyPair(alice, "alice", "k1")).toEqual(keyPair);
    await expect(backend.getKeyPair(alice, "bob", "k1")).rejects.toBeInstanceOf(KeyPairNotFoundError);
  });

  it("generates a key whose public half is stored and private half only returned", async () => {
    const { keyPair, privateKey } = await importKey("gen", "alice", alice, null);
    expect(privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect((await apiDb.keyPairs.get("alice", "gen")).public_key).toBe(keyPair.publicKey);
  });

  it("refuses a duplicate name and a key that does not parse, storing nothing", async () => {
    await importKey("k1");
    await expect(importKey("k1")).rejects.toSatisfy((e) => KeyPairExistsError.isInstance(e));
    await expect(importKey("bad", "alice", alice, "ssh-rsa AAAA")).rejects.toSatisfy((e) =>
      InvalidKeyPairError.isInstance(e),
    );
    expect(await apiDb.keyPairs.count("alice")).toBe(1);
  });

  it("counts key_pairs per target user against the caller's limit (per-user limits override the project's)", async () => {
    await apiDb.quotas.setLimit("p1", "key_pairs", 2);
    await importKey("a");
    await importKey("b");
    await expect(importKey("c")).rejects.toSatisfy(
      (e) => QuotaExceededError.isInstance(e) && e.message === "Quota exceeded, too many key pairs.",
    );
    expect(await apiDb.keyPairs.count("alice")).toBe(2);
    await apiDb.quotas.setLimit("p1", "key_pairs", 3, "alice");
    await importKey("c");
    // Unlimited.
    await apiDb.quotas.setLimit("p1", "key_pairs", -1, "alice");
    await importKey("d");
    // An admin creating for another user: that user's count, the admin's limits (Nova's default 100).
    await importKey("x", "bob", admin);
    expect(await apiDb.keyPairs.count("bob")).toBe(1);
  });

  it("lists by name with limit and marker; an unknown marker is MarkerNotFoundError", async () => {
    for (const name of ["c", "a", "b"]) await importKey(name);
    expect((await backend.listKeyPairs(alice, "alice", { limit: 2 })).map((k) => k.name)).toEqual(["a", "b"]);
    expect((await backend.listKeyPairs(alice, "alice", { marker: "b" })).map((k) => k.name)).toEqual(["c"]);
    expect(await backend.listKeyPairs(alice, "bob", {})).toEqual([]);
    await expect(backend.listKeyPairs(alice, "alice", { marker: "zz" })).rejects.toSatisfy((e) =>
      MarkerNotFoundError.isInstance(e),
    );
  });

  it("deletes; a second delete is KeyPairNotFoundError", async () => {
    await importKey("k1");
    await backend.deleteKeyPair(alice, "alice", "k1");
    await expect(backend.deleteKeyPair(alice, "alice", "k1")).rejects.toSatisfy((e) =>
      KeyPairNotFoundError.isInstance(e),
    );
  });

  it("a boot with key_name carries key_name, key_data and keypairs in the instance, as Nova's", async () => {
    await importKey("mine");
    const [server] = await backend.createServers(
      alice,
      makeCreateServerSpec({ imageRef: IMAGE, networks: "none", keyName: "mine" }),
    );
    expect(server!.keyName).toBe("mine");
    const instance = (await apiDb.buildRequests.getByInstanceUuid(server!.uuid)).instance;
    expect(instance).toMatchObject({ key_name: "mine", key_data: RSA });
    expect(instance.keypairs).toMatchObject({
      "nova_object.name": "KeyPairList",
      "nova_object.data": {
        objects: [
          {
            "nova_object.name": "KeyPair",
            "nova_object.data": { name: "mine", user_id: "alice", public_key: RSA },
          },
        ],
      },
    });
    expect(builds).toHaveLength(1);
  });

  it("refuses a boot with another user's or an unknown key_name, recording nothing", async () => {
    await importKey("bobs", "bob", admin);
    for (const keyName of ["bobs", "nope"]) {
      await expect(
        backend.createServers(alice, makeCreateServerSpec({ imageRef: IMAGE, networks: "none", keyName })),
      ).rejects.toSatisfy((e) => KeyPairNotFoundError.isInstance(e));
    }
    expect(builds).toHaveLength(0);
    expect(await apiDb.buildRequests.countByProject("p1")).toBe(0);
  });
});
