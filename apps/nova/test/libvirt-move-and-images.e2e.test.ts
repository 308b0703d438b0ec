// End to end with a real hypervisor, issue 13's libvirt half: nova-api, nova-conductor, nova-scheduler and two
// nova-compute services running `libvirt.LibvirtDriver` (`virt_type = qemu`) on this machine's one libvirtd, each
// with its own instances_path, as separate processes over the real RabbitMQ and MariaDB. A tiny guest (Debian's
// cloud kernel and a busybox initramfs) is rebuilt, rescued, unrescued and snapshotted; the snapshot boots a
// second server; the first is resized to a bigger flavor on the other compute and confirmed, the second (stopped)
// cold-migrated, reverted, migrated again and confirmed while staying stopped; both are deleted and nothing is
// left: no domain, no instance folder, no `_resize` folder. Deadlines only bound waits for the guests.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DomainState, DomainXmlFlags, QemuImg } from "@nova/virt-libvirt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LibvirtCluster } from "./libvirt-cluster.js";

const STEP_DEADLINE_MS = 300_000;
const GiB = 1024 ** 3;
const cluster = new LibvirtCluster({
  slug: "lvmv",
  defaults: () => ["service_down_time = 30", "rpc_response_timeout = 60"],
  flavors: [
    { name: "lv.tiny", memory_mb: 128, vcpus: 1, root_gb: 1 },
    { name: "lv.big", memory_mb: 192, vcpus: 2, root_gb: 2 },
  ],
});
const HOSTS = [`lv-a-${cluster.tag}`, `lv-b-${cluster.tag}`] as const;
const { images, procs } = cluster;
/** Each compute's instances_path, by host. */
const instancesPaths = new Map<string, string>();

const action = (id: string, body: unknown, version = "2.45") =>
  cluster.api.with({ microversion: version }).request("POST", `/servers/${id}/action`, { body });
const domainXml = async (id: string): Promise<string> =>
  cluster.libvirt.domainGetXmlDesc(await cluster.domain(id), DomainXmlFlags.INACTIVE);
const hostOf = async (id: string): Promise<string> =>
  (await cluster.api.getServer(id))["OS-EXT-SRV-ATTR:host"] as string;
const otherHost = (host: string): string => (host === HOSTS[0] ? HOSTS[1] : HOSTS[0]);
const pathOf = (host: string): string => instancesPaths.get(host)!;
const startCompute = (host: string) =>
  cluster.startApp("nova-compute", host, {
    OS_DEFAULT__HOST: host,
    OS_DEFAULT__INSTANCES_PATH: pathOf(host),
  });

beforeAll(async () => {
  await cluster.setUp();
  // Each compute has its own instances_path, as two machines would.
  for (const host of HOSTS) {
    const path = join(cluster.dir, `instances-${host}`);
    mkdirSync(path);
    instancesPaths.set(host, path);
  }
  for (const host of HOSTS) startCompute(host);
  cluster.startApp("nova-api", "api", { OS_DEFAULT__HOST: `api-${cluster.tag}` });
  await cluster.computesUp(HOSTS);
}, 300_000);

afterAll(() => cluster.dispose(), 120_000);

describe("a real QEMU guest rebuilt, rescued, snapshotted and resized between two libvirt computes", () => {
  let id: string;
  let fromSnapshot: string;
  let snapshotFile: string;

  it(
    "boots a server and rebuilds it: a new QEMU over a fresh overlay in the same instance folder",
    async () => {
      id = (await cluster.api.createServer({ name: "lv-a", flavorRef: "lv.tiny", imageRef: images.root })).id;
      await cluster.settledAt(id, "ACTIVE");
      const before = (await cluster.domain(id)).id;
      expect((await action(id, { rebuild: { imageRef: images.root } })).status).toBe(202);
      await cluster.until("the rebuild to start", async () =>
        (await cluster.api.getServer(id)).status !== "ACTIVE" ? true : undefined,
      );
      await cluster.settledAt(id, "ACTIVE");
      expect((await cluster.domain(id)).id).not.toBe(before);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      const instanceDir = join(pathOf(await hostOf(id)), id);
      expect(readdirSync(instanceDir)).toEqual(expect.arrayContaining(["disk", "kernel", "ramdisk"]));
      await cluster.waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "rescues: the rescue image boots first with the guest's own disk second; unrescue restores the guest",
    async () => {
      const instanceDir = join(pathOf(await hostOf(id)), id);
      expect((await action(id, { rescue: {} })).status).toBe(200);
      await cluster.settledAt(id, "RESCUE");
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      const rescued = await domainXml(id);
      expect(rescued).toMatch(/disk\.rescue'\/>[\s\S]*<target dev='vda'/);
      expect(rescued).toMatch(new RegExp(`${id}/disk'/>[\\s\\S]*<target dev='vdb'`));
      expect(rescued).toContain("kernel.rescue");
      expect(readdirSync(instanceDir)).toEqual(expect.arrayContaining(["disk.rescue", "unrescue.xml"]));
      await cluster.waitForReady(id);

      expect((await action(id, { unrescue: null })).status).toBe(202);
      await cluster.settledAt(id, "ACTIVE");
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      expect(await domainXml(id)).not.toContain(".rescue");
      expect(readdirSync(instanceDir).filter((f) => f.includes("rescue"))).toEqual([]);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "snapshots a running server (it keeps running) into a standalone qcow2 that boots a new server",
    async () => {
      // The snapshot names its kernel and ramdisk as a user's createImage metadata: our API does not yet
      // inherit the instance's image properties as Nova does (docs/decisions/2026-12-07-libvirt-resize-rescue-snapshot.md).
      const res = await action(id, {
        createImage: {
          name: "lv-a-snap",
          metadata: {
            kernel_id: images.kernel,
            ramdisk_id: images.ramdisk,
            os_command_line: cluster.guest.cmdline,
          },
        },
      });
      expect(res.status).toBe(202);
      const imageId = (res.body as { image_id: string }).image_id;
      await cluster.until("the snapshot to be active", async () =>
        (await cluster.api.getImage(imageId)).status === "ACTIVE" ? true : undefined,
      );
      const server = await cluster.settledAt(id, "ACTIVE");
      expect(server["OS-EXT-STS:power_state"]).toBe(1);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      snapshotFile = join(pathOf(await hostOf(id)), "snapshots", imageId);
      const info = await new QemuImg().info(snapshotFile);
      expect(info.format).toBe("qcow2");
      expect(info.backingFilename).toBeUndefined();

      fromSnapshot = (
        await cluster.api.createServer({ name: "lv-b", flavorRef: "lv.tiny", imageRef: imageId })
      ).id;
      await cluster.settledAt(fromSnapshot, "ACTIVE");
      expect(await cluster.domainState(fromSnapshot)).toBe(DomainState.RUNNING);
      await cluster.waitForReady(fromSnapshot);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "resizes to a bigger flavor on the other compute: disk moved and grown, domain redefined, running",
    async () => {
      const source = await hostOf(id);
      const dest = otherHost(source);
      expect((await action(id, { resize: { flavorRef: "lv.big" } })).status).toBe(202);
      const resized = await cluster.settledAt(id, "VERIFY_RESIZE");
      expect(resized["OS-EXT-SRV-ATTR:host"]).toBe(dest);
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      const xml = await domainXml(id);
      expect(xml).toContain(`${join(pathOf(dest), id)}/disk'`);
      expect(xml).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
      expect(xml).toContain("<memory unit='KiB'>196608</memory>");
      const disk = await new QemuImg().info(join(pathOf(dest), id, "disk"));
      expect(disk.virtualSize).toBe(2 * GiB);
      expect(disk.backingFilename).toContain(join(pathOf(dest), "_base"));
      expect(existsSync(join(pathOf(source), `${id}_resize`))).toBe(true);
      expect(existsSync(join(pathOf(source), id))).toBe(false);
      await cluster.waitForReady(id);

      expect((await action(id, { confirmResize: null })).status).toBe(204);
      await cluster.settledAt(id, "ACTIVE");
      expect(existsSync(join(pathOf(source), `${id}_resize`))).toBe(false);
      // The source's confirm left the (shared) domain to the destination.
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      expect(await hostOf(id)).toBe(dest);

      // A restart of the source (init_host, which sees the same domain list) leaves the moved guest alone.
      const old = procs.find((p) => p.name === source)!;
      old.child.kill("SIGTERM");
      expect(await old.exited).toBe(0);
      procs.splice(procs.indexOf(old), 1);
      await cluster.started(startCompute(source));
      expect(await cluster.domainState(id)).toBe(DomainState.RUNNING);
      expect((await cluster.settledAt(id, "ACTIVE"))["OS-EXT-SRV-ATTR:host"]).toBe(dest);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "cold-migrates a stopped server: it stays stopped on the other compute, through a revert and a confirm",
    async () => {
      const source = await hostOf(fromSnapshot);
      const dest = otherHost(source);
      await cluster.api.stopServer(fromSnapshot);
      await cluster.settledAt(fromSnapshot, "SHUTOFF");
      const migrated = async () => {
        expect((await action(fromSnapshot, { migrate: null })).status).toBe(202);
        await cluster.settledAt(fromSnapshot, "VERIFY_RESIZE");
        expect(await hostOf(fromSnapshot)).toBe(dest);
        expect(await cluster.domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
        expect(await domainXml(fromSnapshot)).toContain(join(pathOf(dest), fromSnapshot));
      };
      await migrated();
      // Revert: the destination drops its copy, the source renames `_resize` back and redefines the guest.
      expect((await action(fromSnapshot, { revertResize: null })).status).toBe(202);
      await cluster.settledAt(fromSnapshot, "SHUTOFF");
      expect(await hostOf(fromSnapshot)).toBe(source);
      expect(await cluster.domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
      expect(await domainXml(fromSnapshot)).toContain(`${join(pathOf(source), fromSnapshot)}/disk'`);
      expect(existsSync(join(pathOf(dest), fromSnapshot))).toBe(false);
      expect(existsSync(join(pathOf(source), `${fromSnapshot}_resize`))).toBe(false);

      await migrated();
      expect((await action(fromSnapshot, { confirmResize: null })).status).toBe(204);
      const server = await cluster.settledAt(fromSnapshot, "SHUTOFF");
      expect(server["OS-EXT-STS:power_state"]).toBe(4);
      expect(await cluster.domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
      expect(existsSync(join(pathOf(source), `${fromSnapshot}_resize`))).toBe(false);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "deletes both: no domain, no instance or _resize folder; only image caches and the snapshot's file stay",
    async () => {
      for (const server of [id, fromSnapshot]) await cluster.api.deleteServer(server);
      for (const server of [id, fromSnapshot]) {
        await cluster.gone(server);
      }
      expect(await cluster.ourDomains()).toEqual([]);
      for (const host of HOSTS) {
        const left = readdirSync(pathOf(host)).filter((f) => f !== "_base" && f !== "snapshots");
        expect(left).toEqual([]);
      }
      // The snapshot's file belongs to the image catalogue now (the image was not deleted).
      expect(existsSync(snapshotFile)).toBe(true);
    },
    STEP_DEADLINE_MS,
  );
});
