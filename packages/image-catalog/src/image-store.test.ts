import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalImageCatalog } from "./local-image-catalog.js";

describe("LocalImageCatalog as an image store shared through its file", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("an image created by one catalogue (nova-api) is filled by another (nova-compute) and seen by both", async () => {
    dir = mkdtempSync(join(tmpdir(), "images-"));
    const api = LocalImageCatalog.fromStateDir(dir, [{ id: "base", name: "cirros" }]);
    const compute = LocalImageCatalog.fromStateDir(dir, [{ id: "base", name: "cirros" }]);
    await api.create({ id: "snap", name: "snap", status: "queued", properties: { image_type: "snapshot" } });
    expect((await compute.get("snap")).status).toBe("queued");
    await compute.update("snap", { status: "active", size: 42, file: "/tmp/snap.qcow2" });
    expect(await api.get("snap")).toMatchObject({
      status: "active",
      size: 42,
      properties: { image_type: "snapshot" },
    });
    expect(api.files.get("snap")).toBe("/tmp/snap.qcow2");
    // The file-less fallback image was written with the first change, so every reader keeps it.
    expect((await LocalImageCatalog.fromStateDir(dir).list({})).map((i) => i.id)).toEqual(["base", "snap"]);
    await compute.delete("snap");
    await expect(api.get("snap")).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
    await expect(api.delete("snap")).rejects.toMatchObject({ code: "IMAGE_NOT_FOUND" });
  });

  it("deleting a snapshot removes the file a compute wrote for it; an operator's image file stays", async () => {
    dir = mkdtempSync(join(tmpdir(), "images-"));
    const snapFile = join(dir, "snap.qcow2");
    const baseFile = join(dir, "base.qcow2");
    writeFileSync(snapFile, "snapshot");
    writeFileSync(baseFile, "base");
    const catalog = LocalImageCatalog.fromStateDir(dir, [{ id: "base", name: "cirros", file: baseFile }]);
    await catalog.create({ id: "snap", status: "queued", properties: { image_type: "snapshot" } });
    await catalog.update("snap", { status: "active", file: snapFile });
    await catalog.delete("snap");
    expect(existsSync(snapFile)).toBe(false);
    await catalog.delete("base");
    expect(existsSync(baseFile)).toBe(true);
  });

  it("concurrent writers through the lock lose no image", async () => {
    dir = mkdtempSync(join(tmpdir(), "images-"));
    const writers = [0, 1, 2].map(() => LocalImageCatalog.fromStateDir(dir!));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => writers[i % 3]!.create({ id: `img-${i}`, name: `n${i}` })),
    );
    expect((await LocalImageCatalog.fromStateDir(dir).list({})).length).toBe(30);
  });

  it("an in-memory catalogue (no file) takes the same writes", async () => {
    const memory = new LocalImageCatalog([]);
    await memory.create({ id: "a", name: "a", status: "queued" });
    await memory.update("a", { status: "active", properties: { k: "v" } });
    expect(await memory.get("a")).toMatchObject({ status: "active", properties: { k: "v" } });
    await memory.delete("a");
    expect(await memory.list({})).toEqual([]);
  });
});
