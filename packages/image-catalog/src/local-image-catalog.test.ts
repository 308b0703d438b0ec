import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ImageCatalogFileError } from "./image-catalog-file-error.js";
import { ImageNotFoundError } from "./image-not-found-error.js";
import { LocalImageCatalog } from "./local-image-catalog.js";

describe("LocalImageCatalog", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("lists with Glance's filters and marker, and keeps the files of the images that have one", async () => {
    const catalog = new LocalImageCatalog([
      { id: "a", name: "cirros", file: "/images/a.qcow2" },
      { id: "b", name: "fedora", status: "queued" },
      { id: "c", name: "cirros", created_at: "2026-11-27T00:00:00Z" },
    ]);
    expect((await catalog.list({ name: "cirros" })).map((i) => i.id)).toEqual(["a", "c"]);
    expect((await catalog.list({ status: "active", marker: "a", limit: 1 })).map((i) => i.id)).toEqual(["c"]);
    expect((await catalog.get("c")).createdAt).toEqual(new Date("2026-11-27T00:00:00Z"));
    expect([...catalog.files]).toEqual([["a", "/images/a.qcow2"]]);
    const missing = await catalog.get("zzz").catch((e: unknown) => e);
    expect(ImageNotFoundError.isInstance(missing)).toBe(true);
    expect(missing).toMatchObject({ code: "IMAGE_NOT_FOUND", imageId: "zzz" });
    await expect(catalog.list({ marker: "zzz" })).rejects.toBeInstanceOf(ImageNotFoundError);
  });

  it("reads <state>/images.json when present, else the fallback, and names a bad file", async () => {
    dir = mkdtempSync(join(tmpdir(), "nova-images-"));
    expect(
      (await LocalImageCatalog.fromStateDir(dir, [{ id: "builtin" }]).list({})).map((i) => i.id),
    ).toEqual(["builtin"]);
    writeFileSync(join(dir, "images.json"), JSON.stringify({ images: [{ id: "from-file" }] }));
    expect(
      (await LocalImageCatalog.fromStateDir(dir, [{ id: "builtin" }]).list({})).map((i) => i.id),
    ).toEqual(["from-file"]);
    writeFileSync(join(dir, "images.json"), JSON.stringify([{ id: "x" }]));
    expect(() => LocalImageCatalog.fromStateDir(dir as string)).toThrow(ImageCatalogFileError);
    expect(() => LocalImageCatalog.fromStateDir(dir as string)).toThrow(
      `${join(dir, "images.json")}: expected`,
    );
  });
});
