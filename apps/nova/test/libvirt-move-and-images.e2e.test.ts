// End to end with a real hypervisor, issue 13's libvirt half: nova-api, nova-conductor, nova-scheduler and two
// nova-compute services running `libvirt.LibvirtDriver` (`virt_type = qemu`) on this machine's one libvirtd, each
// with its own instances_path, as separate processes over the real RabbitMQ and MariaDB. A tiny guest (Debian's
// cloud kernel and a busybox initramfs) is rebuilt, rescued, unrescued and snapshotted; the snapshot boots a
// second server; the first is resized to a bigger flavor on the other compute and confirmed, the second (stopped)
// cold-migrated, reverted, migrated again and confirmed while staying stopped; both are deleted and nothing is
// left: no domain, no instance folder, no `_resize` folder. Deadlines only bound waits for the guests.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ComputeApiError, ComputeClient, type ServerStatus } from "@nova/client";
import { openApiDatabase } from "@nova/db";
import {
  createTestDatabase,
  createTestVhost,
  defaultMariaDb,
  freePort,
  type TestDatabase,
  type TestVhost,
} from "@nova/testing";
import {
  type DomainRef,
  DomainState,
  DomainXmlFlags,
  LibvirtClient,
  QemuImg,
  UndefineFlags,
} from "@nova/virt-libvirt";
import { ensureTestGuest, requireLibvirtd, type TestGuest } from "@nova/virt-libvirt/test";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GUEST_DEADLINE_MS = 180_000;
const STEP_DEADLINE_MS = 300_000;
const GiB = 1024 ** 3;
const ROOT_IMAGE = randomUUID();
const KERNEL_IMAGE = randomUUID();
const RAMDISK_IMAGE = randomUUID();
// Names no other test (or run) uses on the shared libvirtd: the compute hosts and the guests' name prefix.
const tag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const HOSTS = [`lv-a-${tag}`, `lv-b-${tag}`] as const;
const NAME_PREFIX = `nova-ts-lvmv-${tag}-`;

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const procs: Proc[] = [];
let dir: string;
let conf: string;
/** Each compute's instances_path, by host. */
const instancesPaths = new Map<string, string>();
let vhost: TestVhost;
let apiDbT: TestDatabase;
let cellDbT: TestDatabase;
let cell0Name: string;
let api: ComputeClient;
let libvirt: LibvirtClient;
let guest: TestGuest;

function startApp(app: string, name: string, env: Record<string, string> = {}, args: string[] = []): Proc {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "apps", app, "src/main.ts"), "--config-file", conf, ...args],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const p = { name, child, output, exited };
  procs.push(p);
  return p;
}

function allLogs(): string {
  return procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-4000)}`).join("\n");
}

/** Polls `probe` until it returns a value (errors count as "not yet"); fails with every app's log. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = GUEST_DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const v = await probe().catch((e: unknown) => {
      lastError = e;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last error: ${String(lastError)})\n${allLogs()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runManage(...args: string[]): Promise<void> {
  const p = startApp("nova-manage", `nova-manage ${args.join(" ")}`, {}, args);
  const code = await p.exited;
  procs.splice(procs.indexOf(p), 1);
  if (code !== 0) throw new Error(`nova-manage ${args.join(" ")} exited ${code}: ${p.output.join("")}`);
}

async function started(p: Proc): Promise<void> {
  await until(`${p.name} to start`, async () =>
    /"msg":"started"/.test(p.output.join("")) ? true : undefined,
  );
}

/** Waits for the server to reach `status` with no task running (ERROR ends the wait at once). */
async function settledAt(id: string, status: ServerStatus) {
  return until(`server ${id} to be ${status}`, async () => {
    const s = await api.getServer(id);
    if (s.status === "ERROR")
      throw new Error(`server ${id} went to ERROR: ${s.fault?.message}\n${allLogs()}`);
    return s.status === status && s["OS-EXT-STS:task_state"] === null ? s : undefined;
  });
}

const action = (id: string, body: unknown, version = "2.45") =>
  api.with({ microversion: version }).request("POST", `/servers/${id}/action`, { body });

async function waitForReady(id: string): Promise<void> {
  await until(`the guest's ready line in ${id}'s console output`, async () =>
    (await api.getConsoleOutput(id)).includes(guest.readyLine) ? true : undefined,
  );
}

const domain = (id: string): Promise<DomainRef> => libvirt.domainLookupByUuid(id);
const domainState = async (id: string): Promise<number> =>
  (await libvirt.domainGetState(await domain(id))).state;
const domainXml = async (id: string): Promise<string> =>
  libvirt.domainGetXmlDesc(await domain(id), DomainXmlFlags.INACTIVE);
const hostOf = async (id: string): Promise<string> =>
  (await api.getServer(id))["OS-EXT-SRV-ATTR:host"] as string;
const otherHost = (host: string): string => (host === HOSTS[0] ? HOSTS[1] : HOSTS[0]);
const pathOf = (host: string): string => instancesPaths.get(host)!;

async function ourDomains(): Promise<DomainRef[]> {
  return (await libvirt.listAllDomains()).filter((d) => d.name.startsWith(NAME_PREFIX));
}

beforeAll(async () => {
  const socketPath = requireLibvirtd();
  guest = await ensureTestGuest();
  libvirt = await LibvirtClient.connect({ uri: "qemu:///system", socketPath });
  dir = mkdtempSync(join(tmpdir(), "nova-lvmv-"));
  for (const host of HOSTS) {
    const path = join(dir, `instances-${host}`);
    mkdirSync(path);
    instancesPaths.set(host, path);
  }
  // An empty qcow2 root disk; the guest runs from its initramfs, booted from the kernel and ramdisk images the
  // root image's properties name.
  const rootImage = join(dir, "root.qcow2");
  await new QemuImg().create(rootImage, "qcow2", 64 * 1024 * 1024);
  writeFileSync(
    join(dir, "images.json"),
    JSON.stringify({
      images: [
        {
          id: ROOT_IMAGE,
          name: "nova-ts-test-guest",
          file: rootImage,
          properties: {
            kernel_id: KERNEL_IMAGE,
            ramdisk_id: RAMDISK_IMAGE,
            os_command_line: guest.cmdline,
          },
          created_at: "2026-11-27T00:00:00Z",
        },
        { id: KERNEL_IMAGE, name: "nova-ts-test-guest-kernel", file: guest.kernelPath },
        { id: RAMDISK_IMAGE, name: "nova-ts-test-guest-ramdisk", file: guest.initrdPath },
      ],
    }),
  );

  vhost = await createTestVhost("nova-lvmv");
  apiDbT = await createTestDatabase("lvmv_api");
  cellDbT = await createTestDatabase("lvmv_cell");
  cell0Name = `${cellDbT.name}_cell0`;
  const c = await mysql.createConnection({ ...defaultMariaDb });
  try {
    await c.query(`CREATE DATABASE \`${cell0Name}\` CHARACTER SET utf8mb4`);
  } finally {
    await c.end();
  }
  const port = await freePort();
  conf = join(dir, "nova.conf");
  writeFileSync(
    conf,
    [
      "[DEFAULT]",
      `transport_url = ${vhost.transportUrl}`,
      `state_path = ${dir}`,
      `instance_name_template = ${NAME_PREFIX}%08x`,
      "report_interval = 1",
      "service_down_time = 30",
      "rpc_response_timeout = 60",
      "osapi_compute_listen = 127.0.0.1",
      `osapi_compute_listen_port = ${port}`,
      "compute_driver = libvirt.LibvirtDriver",
      "[libvirt]",
      "virt_type = qemu",
      `socket_path = ${socketPath}`,
      "wait_soft_reboot_seconds = 60",
      "[vnc]",
      "enabled = false",
      "[api_database]",
      `connection = ${apiDbT.url}`,
      "[database]",
      `connection = ${cellDbT.url}`,
      "",
    ].join("\n"),
  );
  await runManage("cell_v2", "simple_cell_setup");
  const apiDb = openApiDatabase({ connection: apiDbT.url });
  try {
    await apiDb.flavors.create({
      flavorid: "lv.tiny",
      name: "lv.tiny",
      memory_mb: 128,
      vcpus: 1,
      root_gb: 1,
    });
    await apiDb.flavors.create({ flavorid: "lv.big", name: "lv.big", memory_mb: 192, vcpus: 2, root_gb: 2 });
  } finally {
    await apiDb.close();
  }
  await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: `conductor-${tag}` }));
  await started(startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: `scheduler-${tag}` }));
  for (const host of HOSTS) {
    startApp("nova-compute", host, { OS_DEFAULT__HOST: host, OS_DEFAULT__INSTANCES_PATH: pathOf(host) });
  }
  startApp("nova-api", "api", { OS_DEFAULT__HOST: `api-${tag}` });
  api = new ComputeClient({ endpoint: `http://127.0.0.1:${port}/v2.1`, token: "admin:admin" });
  await until("both computes up", async () => {
    const services = await api.listServices({ binary: "nova-compute" });
    return HOSTS.every((h) => services.some((s) => s.host === h && s.state === "up")) ? true : undefined;
  });
}, 300_000);

afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  }
  await Promise.allSettled(procs.map((p) => p.exited));
  if (libvirt) {
    for (const d of await ourDomains().catch(() => [])) {
      await libvirt.domainDestroy(d).catch(() => {});
      await libvirt.domainUndefine(d, UndefineFlags.MANAGED_SAVE).catch(() => {});
    }
    await libvirt.close();
  }
  const c = await mysql.createConnection({ ...defaultMariaDb }).catch(() => undefined);
  if (cell0Name) await c?.query(`DROP DATABASE IF EXISTS \`${cell0Name}\``);
  await c?.end();
  await Promise.allSettled([apiDbT?.dispose(), cellDbT?.dispose(), vhost?.dispose()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("a real QEMU guest rebuilt, rescued, snapshotted and resized between two libvirt computes", () => {
  let id: string;
  let fromSnapshot: string;
  let snapshotFile: string;

  it(
    "boots a server and rebuilds it: a new QEMU over a fresh overlay in the same instance folder",
    async () => {
      id = (await api.createServer({ name: "lv-a", flavorRef: "lv.tiny", imageRef: ROOT_IMAGE })).id;
      await settledAt(id, "ACTIVE");
      const before = (await domain(id)).id;
      expect((await action(id, { rebuild: { imageRef: ROOT_IMAGE } })).status).toBe(202);
      await until("the rebuild to start", async () =>
        (await api.getServer(id)).status !== "ACTIVE" ? true : undefined,
      );
      await settledAt(id, "ACTIVE");
      expect((await domain(id)).id).not.toBe(before);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      const instanceDir = join(pathOf(await hostOf(id)), id);
      expect(readdirSync(instanceDir)).toEqual(expect.arrayContaining(["disk", "kernel", "ramdisk"]));
      await waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "rescues: the rescue image boots first with the guest's own disk second; unrescue restores the guest",
    async () => {
      const instanceDir = join(pathOf(await hostOf(id)), id);
      expect((await action(id, { rescue: {} })).status).toBe(200);
      await settledAt(id, "RESCUE");
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      const rescued = await domainXml(id);
      expect(rescued).toMatch(/disk\.rescue'\/>[\s\S]*<target dev='vda'/);
      expect(rescued).toMatch(new RegExp(`${id}/disk'/>[\\s\\S]*<target dev='vdb'`));
      expect(rescued).toContain("kernel.rescue");
      expect(readdirSync(instanceDir)).toEqual(expect.arrayContaining(["disk.rescue", "unrescue.xml"]));
      await waitForReady(id);

      expect((await action(id, { unrescue: null })).status).toBe(202);
      await settledAt(id, "ACTIVE");
      expect(await domainState(id)).toBe(DomainState.RUNNING);
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
          metadata: { kernel_id: KERNEL_IMAGE, ramdisk_id: RAMDISK_IMAGE, os_command_line: guest.cmdline },
        },
      });
      expect(res.status).toBe(202);
      const imageId = (res.body as { image_id: string }).image_id;
      await until("the snapshot to be active", async () =>
        (await api.getImage(imageId)).status === "ACTIVE" ? true : undefined,
      );
      const server = await settledAt(id, "ACTIVE");
      expect(server["OS-EXT-STS:power_state"]).toBe(1);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      snapshotFile = join(pathOf(await hostOf(id)), "snapshots", imageId);
      const info = await new QemuImg().info(snapshotFile);
      expect(info.format).toBe("qcow2");
      expect(info.backingFilename).toBeUndefined();

      fromSnapshot = (await api.createServer({ name: "lv-b", flavorRef: "lv.tiny", imageRef: imageId })).id;
      await settledAt(fromSnapshot, "ACTIVE");
      expect(await domainState(fromSnapshot)).toBe(DomainState.RUNNING);
      await waitForReady(fromSnapshot);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "resizes to a bigger flavor on the other compute: disk moved and grown, domain redefined, running",
    async () => {
      const source = await hostOf(id);
      const dest = otherHost(source);
      expect((await action(id, { resize: { flavorRef: "lv.big" } })).status).toBe(202);
      const resized = await settledAt(id, "VERIFY_RESIZE");
      expect(resized["OS-EXT-SRV-ATTR:host"]).toBe(dest);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      const xml = await domainXml(id);
      expect(xml).toContain(`${join(pathOf(dest), id)}/disk'`);
      expect(xml).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
      expect(xml).toContain("<memory unit='KiB'>196608</memory>");
      const disk = await new QemuImg().info(join(pathOf(dest), id, "disk"));
      expect(disk.virtualSize).toBe(2 * GiB);
      expect(disk.backingFilename).toContain(join(pathOf(dest), "_base"));
      expect(existsSync(join(pathOf(source), `${id}_resize`))).toBe(true);
      expect(existsSync(join(pathOf(source), id))).toBe(false);
      await waitForReady(id);

      expect((await action(id, { confirmResize: null })).status).toBe(204);
      await settledAt(id, "ACTIVE");
      expect(existsSync(join(pathOf(source), `${id}_resize`))).toBe(false);
      // The source's confirm left the (shared) domain to the destination.
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      expect(await hostOf(id)).toBe(dest);

      // A restart of the source (init_host, which sees the same domain list) leaves the moved guest alone.
      const old = procs.find((p) => p.name === source)!;
      old.child.kill("SIGTERM");
      expect(await old.exited).toBe(0);
      procs.splice(procs.indexOf(old), 1);
      await started(
        startApp("nova-compute", source, {
          OS_DEFAULT__HOST: source,
          OS_DEFAULT__INSTANCES_PATH: pathOf(source),
        }),
      );
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      expect((await settledAt(id, "ACTIVE"))["OS-EXT-SRV-ATTR:host"]).toBe(dest);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "cold-migrates a stopped server: it stays stopped on the other compute, through a revert and a confirm",
    async () => {
      const source = await hostOf(fromSnapshot);
      const dest = otherHost(source);
      await api.stopServer(fromSnapshot);
      await settledAt(fromSnapshot, "SHUTOFF");
      const migrated = async () => {
        expect((await action(fromSnapshot, { migrate: null })).status).toBe(202);
        await settledAt(fromSnapshot, "VERIFY_RESIZE");
        expect(await hostOf(fromSnapshot)).toBe(dest);
        expect(await domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
        expect(await domainXml(fromSnapshot)).toContain(join(pathOf(dest), fromSnapshot));
      };
      await migrated();
      // Revert: the destination drops its copy, the source renames `_resize` back and redefines the guest.
      expect((await action(fromSnapshot, { revertResize: null })).status).toBe(202);
      await settledAt(fromSnapshot, "SHUTOFF");
      expect(await hostOf(fromSnapshot)).toBe(source);
      expect(await domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
      expect(await domainXml(fromSnapshot)).toContain(`${join(pathOf(source), fromSnapshot)}/disk'`);
      expect(existsSync(join(pathOf(dest), fromSnapshot))).toBe(false);
      expect(existsSync(join(pathOf(source), `${fromSnapshot}_resize`))).toBe(false);

      await migrated();
      expect((await action(fromSnapshot, { confirmResize: null })).status).toBe(204);
      const server = await settledAt(fromSnapshot, "SHUTOFF");
      expect(server["OS-EXT-STS:power_state"]).toBe(4);
      expect(await domainState(fromSnapshot)).toBe(DomainState.SHUTOFF);
      expect(existsSync(join(pathOf(source), `${fromSnapshot}_resize`))).toBe(false);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "deletes both: no domain, no instance or _resize folder; only image caches and the snapshot's file stay",
    async () => {
      for (const server of [id, fromSnapshot]) await api.deleteServer(server);
      for (const server of [id, fromSnapshot]) {
        await until(`server ${server} to be gone`, async () =>
          api.getServer(server).then(
            () => undefined,
            (e: unknown) => (ComputeApiError.isInstance(e) && e.status === 404 ? true : undefined),
          ),
        );
      }
      expect(await ourDomains()).toEqual([]);
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
