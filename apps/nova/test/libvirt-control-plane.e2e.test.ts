// End to end through the whole control plane with a real hypervisor: nova-api, nova-conductor, nova-scheduler
// and one nova-compute running `libvirt.LibvirtDriver` (`virt_type = qemu`, software emulation) as separate
// processes over the real RabbitMQ and MariaDB. A tiny guest (Debian's cloud kernel and a busybox initramfs)
// is booted, read, rebooted, stopped, started, paused and deleted through the Compute API only; libvirt and the
// disk are then checked with the project's own libvirt client. Deadlines only bound waits for the guest.
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
  DomainEventType,
  type DomainLifecycleMessage,
  type DomainRef,
  DomainState,
  LibvirtClient,
  LibvirtError,
  QemuImg,
  UndefineFlags,
  VirErrorNumber,
} from "@nova/virt-libvirt";
import { ensureTestGuest, requireLibvirtd, type TestGuest } from "@nova/virt-libvirt/test";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const GUEST_DEADLINE_MS = 180_000;
const STEP_DEADLINE_MS = 240_000;
const ROOT_IMAGE = randomUUID();
const KERNEL_IMAGE = randomUUID();
const RAMDISK_IMAGE = randomUUID();
// Names no other test (or run) uses on the shared libvirtd: the compute host and the guests' name prefix.
const tag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const HOST = `lv-compute-${tag}`;
const NAME_PREFIX = `nova-ts-lvcp-${tag}-`;
// virDomainEventStoppedDetailType: how a domain stopped.
const STOPPED_SHUTDOWN = 0; // the guest shut itself down (ACPI power button)
const STOPPED_DESTROYED = 1; // killed from outside

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const procs: Proc[] = [];
let dir: string;
let conf: string;
let instancesPath: string;
let vhost: TestVhost;
let apiDbT: TestDatabase;
let cellDbT: TestDatabase;
let cell0Name: string;
let api: ComputeClient;
let libvirt: LibvirtClient;
let guest: TestGuest;
/** libvirt's lifecycle events, seen on the test's own connection. */
const events: DomainLifecycleMessage[] = [];

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

/** How many times the guest's ready line is in the console output the API serves. */
async function readyLines(id: string): Promise<number> {
  return (await api.getConsoleOutput(id)).split(guest.readyLine).length - 1;
}

async function waitForReady(id: string): Promise<void> {
  await until(`the guest's ready line in ${id}'s console output`, async () =>
    (await readyLines(id)) >= 1 ? true : undefined,
  );
}

/** The guest's libvirt domain, found by the instance uuid (Nova's domain uuid). */
const domain = (id: string): Promise<DomainRef> => libvirt.domainLookupByUuid(id);
const domainState = async (id: string): Promise<number> =>
  (await libvirt.domainGetState(await domain(id))).state;

/** The details of the "stopped" events libvirt sent for the guest so far. */
const stops = (id: string): number[] =>
  events.filter((e) => e.domain.uuid === id && e.event === DomainEventType.STOPPED).map((e) => e.detail);

/** Waits for one more "stopped" event than `before` had and returns its detail. */
async function nextStop(id: string, before: number): Promise<number> {
  return until(`a stopped event of ${id}`, async () => stops(id)[before]);
}

/** A process's exit code after SIGTERM; fails naming it, with the logs, if it does not exit. */
async function exitOf(p: Proc): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), 90_000);
  });
  const code = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (code === "timeout") throw new Error(`${p.name} did not exit after SIGTERM\n${allLogs()}`);
  return code;
}

/** Domains of this test on the shared daemon. */
async function ourDomains(): Promise<DomainRef[]> {
  return (await libvirt.listAllDomains()).filter((d) => d.name.startsWith(NAME_PREFIX));
}

beforeAll(async () => {
  const socketPath = requireLibvirtd();
  guest = await ensureTestGuest();
  libvirt = await LibvirtClient.connect({ uri: "qemu:///system", socketPath });
  await libvirt.onLifecycleEvent((e) => events.push(e));
  dir = mkdtempSync(join(tmpdir(), "nova-lvcp-"));
  instancesPath = join(dir, "instances");
  mkdirSync(instancesPath);
  // The root disk is an empty qcow2: the guest runs from its initramfs, booted directly from kernel and ramdisk
  // images named by the root image's properties, as Glance's AMI-style images are.
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

  vhost = await createTestVhost("nova-lvcp");
  apiDbT = await createTestDatabase("lvcp_api");
  cellDbT = await createTestDatabase("lvcp_cell");
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
      `instances_path = ${instancesPath}`,
      `instance_name_template = ${NAME_PREFIX}%08x`,
      "report_interval = 1",
      "service_down_time = 10",
      "rpc_response_timeout = 30",
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
      root_gb: 0,
    });
  } finally {
    await apiDb.close();
  }
  await started(startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: `conductor-${tag}` }));
  await started(startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: `scheduler-${tag}` }));
  startApp("nova-compute", "compute", { OS_DEFAULT__HOST: HOST });
  startApp("nova-api", "api", { OS_DEFAULT__HOST: `api-${tag}` });
  api = new ComputeClient({ endpoint: `http://127.0.0.1:${port}/v2.1`, token: "admin:admin" });
  await until(`${HOST} up`, async () => {
    const services = await api.listServices({ binary: "nova-compute" });
    return services.some((s) => s.host === HOST && s.state === "up") ? true : undefined;
  });
}, 300_000);

afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  }
  await Promise.allSettled(procs.map((p) => p.exited));
  // Whatever failed above, leave no guest of this test on the shared daemon.
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

describe("a real QEMU guest through the whole control plane (nova-compute with libvirt.LibvirtDriver)", () => {
  let id: string;

  it(
    "boots a server to ACTIVE: a running libvirt domain with an overlay on the cached base image",
    async () => {
      const created = await api.createServer({
        name: "lv-guest",
        flavorRef: "lv.tiny",
        imageRef: ROOT_IMAGE,
      });
      id = created.id;
      const active = await settledAt(id, "ACTIVE");
      expect(active["OS-EXT-SRV-ATTR:host"]).toBe(HOST);
      expect(active["OS-EXT-STS:power_state"]).toBe(1);
      expect((await domain(id)).name.startsWith(NAME_PREFIX)).toBe(true);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      const instanceDir = join(instancesPath, id);
      expect(readdirSync(instanceDir)).toEqual(
        expect.arrayContaining(["disk", "kernel", "ramdisk", "console.log"]),
      );
      const disk = await new QemuImg().info(join(instanceDir, "disk"));
      expect(disk.backingFilename).toContain(join(instancesPath, "_base"));
    },
    STEP_DEADLINE_MS,
  );

  it(
    "serves the guest's console output through the API, whole and tailed",
    async () => {
      await waitForReady(id);
      const output = await api.getConsoleOutput(id);
      expect(output).toMatch(new RegExp(`${guest.readyLine} [0-9.]+`));
      // The serial console's "\r\n" reaches the API as "\n": Nova strips control characters but newlines.
      expect(output).not.toContain("\r");
      // The last lines, as Nova's compute cuts them (the guest is quiet once it printed its ready line; a
      // quiet kernel prints nothing before it).
      const lines = output.split("\n");
      expect(await api.getConsoleOutput(id, 1)).toBe(lines.at(-1));
      expect(await api.getConsoleOutput(id, lines.length)).toBe(output);
      expect(await api.getConsoleOutput(id, 0)).toBe("");
    },
    STEP_DEADLINE_MS,
  );

  it(
    "soft-reboots: the guest shuts itself down on the ACPI button and a new QEMU boots it",
    async () => {
      const before = (await domain(id)).id;
      const stopped = stops(id).length;
      await api.rebootServer(id, "SOFT");
      await settledAt(id, "ACTIVE");
      expect(await nextStop(id, stopped)).toBe(STOPPED_SHUTDOWN);
      expect((await domain(id)).id).not.toBe(before);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      // virtlogd starts the log afresh with each QEMU: a ready line now is the new boot's.
      await waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "hard-reboots: the domain is destroyed and a new QEMU boots the guest",
    async () => {
      const before = (await domain(id)).id;
      const stopped = stops(id).length;
      await api.rebootServer(id, "HARD");
      await settledAt(id, "ACTIVE");
      expect(await nextStop(id, stopped)).toBe(STOPPED_DESTROYED);
      expect((await domain(id)).id).not.toBe(before);
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      await waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "os-stop: SHUTOFF, and the domain is shut off (gracefully, by the guest itself)",
    async () => {
      const stopped = stops(id).length;
      await api.stopServer(id);
      const server = await settledAt(id, "SHUTOFF");
      expect(server["OS-EXT-STS:power_state"]).toBe(4);
      expect(await nextStop(id, stopped)).toBe(STOPPED_SHUTDOWN);
      expect(await domainState(id)).toBe(DomainState.SHUTOFF);
      expect(await libvirt.domainIsActive(await domain(id))).toBe(false);
      // The log of the run that just ended is still served: the guest saw the power button.
      expect(await api.getConsoleOutput(id)).toContain("power button pressed: powering off");
    },
    STEP_DEADLINE_MS,
  );

  it(
    "os-start: ACTIVE, the domain runs and the guest boots",
    async () => {
      await api.startServer(id);
      await settledAt(id, "ACTIVE");
      expect(await domainState(id)).toBe(DomainState.RUNNING);
      await waitForReady(id);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "pause and unpause: PAUSED with the domain paused, then ACTIVE with it running",
    async () => {
      await api.pauseServer(id);
      const paused = await settledAt(id, "PAUSED");
      expect(paused["OS-EXT-STS:power_state"]).toBe(3);
      expect(await domainState(id)).toBe(DomainState.PAUSED);
      await api.unpauseServer(id);
      await settledAt(id, "ACTIVE");
      expect(await domainState(id)).toBe(DomainState.RUNNING);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "deletes: 404 from the API, no domain left in libvirt, no instance folder or overlay on disk",
    async () => {
      await api.deleteServer(id);
      await until(`server ${id} to be gone`, async () =>
        api.getServer(id).then(
          () => undefined,
          (e: unknown) => (ComputeApiError.isInstance(e) && e.status === 404 ? true : undefined),
        ),
      );
      const lookup = await domain(id).catch((e: unknown) => e);
      expect(LibvirtError.hasVirCode(lookup, VirErrorNumber.NO_DOMAIN)).toBe(true);
      expect((await libvirt.listAllDomains()).map((d) => d.uuid)).not.toContain(id);
      expect(await ourDomains()).toEqual([]);
      expect(existsSync(join(instancesPath, id))).toBe(false);
      // Only the shared image cache stays, as Nova's image cache manager keeps bases until they age out.
      expect(readdirSync(instancesPath)).toEqual(["_base"]);
      const gone = await api.getConsoleOutput(id).catch((e: unknown) => e);
      expect(ComputeApiError.isInstance(gone) && gone.status).toBe(404);
    },
    STEP_DEADLINE_MS,
  );

  it(
    "stops every process with exit code 0 on SIGTERM",
    async () => {
      const live = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      expect(live.map((p) => p.name).sort()).toEqual(["api", "compute", "conductor", "scheduler"]);
      for (const p of live) p.child.kill("SIGTERM");
      const codes = await Promise.all(live.map(async (p) => [p.name, await exitOf(p)] as const));
      expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
    },
    STEP_DEADLINE_MS,
  );
});
