import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImageNotFoundError, ImageUnacceptableError } from "@nova/virt";
import { testFlavor, testInstance } from "@nova/virt/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GlanceImageSource } from "./glance-image-source.js";
import { ImageCache } from "./image-cache.js";
import { type ImageDownload, type ImageSource, LocalImageSource } from "./image-source.js";
import { InstanceStorage } from "./instance-storage.js";
import { QemuImg } from "./qemu-img.js";

const MiB = 1024 * 1024;
const qemuImg = new QemuImg();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nova-images-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Counts how often each image is opened. */
class CountingSource implements ImageSource {
  readonly opened: string[] = [];
  constructor(readonly inner: ImageSource) {}
  open(imageId: string): Promise<ImageDownload> {
    this.opened.push(imageId);
    return this.inner.open(imageId);
  }
}

describe("ImageCache", () => {
  it("downloads a base once, checks its checksum and names it by the SHA-1 of the id", async () => {
    const src = join(dir, "cirros.qcow2");
    await qemuImg.create(src, "qcow2", 16 * MiB);
    const source = new CountingSource(
      new LocalImageSource({ img1: { path: src, checksum: { algorithm: "sha256", hex: sha256(src) } } }),
    );
    const cache = new ImageCache({ baseDir: join(dir, "_base"), source, qemuImg });
    const [a, b] = await Promise.all([cache.ensureDiskImage("img1"), cache.ensureDiskImage("img1")]);
    expect(a).toEqual(b);
    expect(a).toEqual({
      path: join(dir, "_base", createHash("sha1").update("img1").digest("hex")),
      format: "qcow2",
      virtualSize: 16 * MiB,
    });
    await cache.ensureDiskImage("img1");
    expect(source.opened).toEqual(["img1"]);
    expect(readdirSync(join(dir, "_base"))).toHaveLength(1); // no temporary files left
  });

  it("refuses a checksum mismatch and keeps nothing of the download", async () => {
    const src = join(dir, "raw.img");
    writeFileSync(src, Buffer.alloc(MiB, 1));
    const cache = new ImageCache({
      baseDir: join(dir, "_base"),
      source: new LocalImageSource({
        bad: { path: src, checksum: { algorithm: "md5", hex: "0".repeat(32) } },
      }),
      qemuImg,
    });
    const error = await cache.ensureDiskImage("bad").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageUnacceptableError);
    expect((error as Error).message).toMatch(/^Image bad is unacceptable: md5 checksum mismatch/);
    expect(readdirSync(join(dir, "_base"))).toEqual([]);
  });

  it("refuses images with a backing file and converts other formats to raw", async () => {
    const base = join(dir, "base.qcow2");
    const child = join(dir, "child.qcow2");
    const vmdk = join(dir, "disk.vmdk");
    await qemuImg.create(base, "qcow2", 8 * MiB);
    await qemuImg.createOverlay(base, "qcow2", child);
    await promisify(execFile)("qemu-img", ["create", "-q", "-f", "vmdk", vmdk, String(8 * MiB)]);
    const cache = new ImageCache({
      baseDir: join(dir, "_base"),
      source: new LocalImageSource({
        child: { path: child },
        vmdk: { path: vmdk },
        missing: { path: join(dir, "nope") },
      }),
      qemuImg,
    });
    await expect(cache.ensureDiskImage("child")).rejects.toThrow(/has a backing file/);
    expect(await cache.ensureDiskImage("vmdk")).toMatchObject({ format: "raw", virtualSize: 8 * MiB });
    await expect(cache.ensureDiskImage("missing")).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(cache.ensureDiskImage("unknown")).rejects.toBeInstanceOf(ImageNotFoundError);
  });
});

describe("LocalImageSource", () => {
  it("asks a lookup at each open, so images added later (snapshots) are found", async () => {
    const files = new Map<string, string>();
    const source = new LocalImageSource(async (id) => {
      const path = files.get(id);
      return path ? { path } : undefined;
    });
    await expect(source.open("snap")).rejects.toBeInstanceOf(ImageNotFoundError);
    writeFileSync(join(dir, "snap.qcow2"), "bits");
    files.set("snap", join(dir, "snap.qcow2"));
    const download = await source.open("snap");
    const chunks: Buffer[] = [];
    for await (const chunk of download.stream) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe("bits");
  });
});

describe("InstanceStorage", () => {
  async function storage(imagesType: "qcow2" | "flat") {
    const src = join(dir, "img.qcow2");
    const kernel = join(dir, "vmlinuz");
    await qemuImg.create(src, "qcow2", 32 * MiB);
    writeFileSync(kernel, "kernel bytes");
    const cache = new ImageCache({
      baseDir: join(dir, "instances", "_base"),
      source: new LocalImageSource({ img: { path: src }, k: { path: kernel } }),
      qemuImg,
    });
    return new InstanceStorage({ instancesPath: join(dir, "instances"), cache, qemuImg, imagesType });
  }

  it("makes a qcow2 overlay of the cached base, grown to the flavor's root disk, plus the kernel", async () => {
    const store = await storage("qcow2");
    const instance = testInstance({ flavor: testFlavor({ rootGb: 1 }) });
    const files = await store.prepare(instance, { id: "img", properties: { kernelId: "k" } });
    expect(files.dir).toBe(join(dir, "instances", instance.uuid));
    const info = await qemuImg.info(files.disk);
    expect(info).toMatchObject({ format: "qcow2", virtualSize: 1024 * MiB });
    expect(info.backingFilename).toContain(join(dir, "instances", "_base"));
    expect(readFileSync(files.kernel!, "utf8")).toBe("kernel bytes");
    expect(readdirSync(files.dir).sort()).toEqual(["disk", "kernel"]);
    await store.remove(instance.uuid);
    expect(readdirSync(join(dir, "instances"))).toEqual(["_base"]);
  });

  it("makes a flat raw copy when images_type is flat, keeping the image size for a 0 GiB root", async () => {
    const store = await storage("flat");
    const instance = testInstance({ flavor: testFlavor({ rootGb: 0 }) });
    const files = await store.prepare(instance, { id: "img", properties: {} });
    const info = await qemuImg.info(files.disk);
    expect(info).toMatchObject({ format: "raw", virtualSize: 32 * MiB });
    expect(info.backingFilename).toBeUndefined();
  });

  it("removes base images no overlay uses once they are old enough", async () => {
    const store = await storage("qcow2");
    const src2 = join(dir, "img2.qcow2");
    await qemuImg.create(src2, "qcow2", 8 * MiB);
    const cache = new ImageCache({
      baseDir: join(dir, "instances", "_base"),
      source: new LocalImageSource({ img2: { path: src2 } }),
      qemuImg,
    });
    const kept = testInstance();
    await store.prepare(kept, { id: "img", properties: {} });
    const unused = await cache.ensureDiskImage("img2");
    const inUse = await store.baseImagesInUse();
    expect([...inUse]).toEqual([cache.pathFor("img")]);
    expect(await cache.removeUnused(inUse, 3_600_000, Date.now())).toEqual([]); // too recent
    expect(await cache.removeUnused(inUse, 3_600_000, Date.now() + 7_200_000)).toEqual([unused.path]);
    expect(readdirSync(join(dir, "instances", "_base"))).toHaveLength(1);
  });

  it("refuses a flavor whose root disk is smaller than the image", async () => {
    const src = join(dir, "big.qcow2");
    await qemuImg.create(src, "qcow2", 2 * 1024 * MiB);
    const cache = new ImageCache({
      baseDir: join(dir, "_base"),
      source: new LocalImageSource({ big: { path: src } }),
      qemuImg,
    });
    const store = new InstanceStorage({ instancesPath: dir, cache, qemuImg, imagesType: "qcow2" });
    const instance = testInstance({ flavor: testFlavor({ rootGb: 1 }) });
    await expect(store.prepare(instance, { id: "big", properties: {} })).rejects.toThrow(
      /flavor's disk is too small for requested image/,
    );
  });
});

describe("GlanceImageSource", () => {
  let server: Server;
  let endpoint: string;
  const data = Buffer.from("glance image bytes");
  const tokens: Array<string | undefined> = [];

  beforeEach(async () => {
    server = createServer((req, res) => {
      tokens.push(req.headers["x-auth-token"] as string | undefined);
      if (req.url === "/v2/images/i1") {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            id: "i1",
            disk_format: "raw",
            checksum: createHash("md5").update(data).digest("hex"),
            os_hash_algo: "sha512",
            os_hash_value: createHash("sha512").update(data).digest("hex"),
          }),
        );
      } else if (req.url === "/v2/images/i1/file") {
        res.end(data);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("downloads through the cache with Glance's sha512 multihash and the token", async () => {
    const source = new GlanceImageSource({ endpoint, token: "tok" });
    const cache = new ImageCache({ baseDir: join(dir, "_base"), source, qemuImg });
    const image = await cache.ensureDiskImage("i1");
    expect(readFileSync(image.path)).toEqual(data);
    expect(tokens).toEqual(["tok", "tok"]);
    const download = await source.open("i1");
    expect(download.checksum?.algorithm).toBe("sha512");
    expect(download.diskFormat).toBe("raw");
    for await (const _ of download.stream) {
      // drain
    }
    await expect(source.open("nope")).rejects.toBeInstanceOf(ImageNotFoundError);
  });
});
