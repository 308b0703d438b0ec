// What the libvirt end-to-end tests share: the control plane as separate processes over the real RabbitMQ and
// MariaDB, a test guest's images, nova.conf for `libvirt.LibvirtDriver` on the machine's one libvirtd, the waits
// the tests use, and a cleanup that leaves no guest, database, vhost or folder behind.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { type DomainRef, LibvirtClient, QemuImg, UndefineFlags } from "@nova/virt-libvirt";
import { ensureTestGuest, requireLibvirtd, type TestGuest } from "@nova/virt-libvirt/test";
import mysql from "mysql2/promise";

const root = fileURLToPath(new URL("../../../", import.meta.url));
/** How long a wait for a guest (or a service) may take on a loaded machine. */
export const GUEST_DEADLINE_MS = 180_000;

/** One app started as a process, with the tail of its output. */
export interface Proc {
  /** The name logs and lookups use (a compute's is its host). */
  name: string;
  /** The process. */
  child: ChildProcess;
  /** The last chunks of its stdout and stderr. */
  output: string[];
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
}

/** A flavor the API database gets before any service starts. */
export interface LibvirtFlavor {
  /** Flavor id and name. */
  name: string;
  /** RAM, in MB. */
  memory_mb: number;
  /** vCPUs. */
  vcpus: number;
  /** Root disk, in GB (0: the image's size). */
  root_gb: number;
}

/** How a test's cluster differs from the others'. */
export interface LibvirtClusterOptions {
  /** Short name for the test's folder, vhost and databases (letters only). */
  slug: string;
  /** Extra `[DEFAULT]` lines of nova.conf (e.g. `instances_path`, `service_down_time`), given the test's folder. */
  defaults: (dir: string) => string[];
  /** Flavors to create. */
  flavors: LibvirtFlavor[];
}

/**
 * A libvirt cluster for one test file. Built synchronously (its names are fixed at once), set up by
 * {@link LibvirtCluster.setUp} in `beforeAll` and torn down by {@link LibvirtCluster.dispose} in `afterAll`.
 */
export class LibvirtCluster {
  /** Every app still tracked (nova-manage runs are dropped once they exit). */
  readonly procs: Proc[] = [];
  /** Unique to this run: no other test (or run) uses it on the shared libvirtd. */
  readonly tag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  /** The guests' domain name prefix (`instance_name_template`). */
  readonly namePrefix: string;
  /** Image ids: an empty qcow2 root whose properties name the guest's kernel and ramdisk images. */
  readonly images = { root: randomUUID(), kernel: randomUUID(), ramdisk: randomUUID() };
  /** The test's temporary folder (state_path). */
  dir = "";
  /** The Compute API, as admin. */
  api!: ComputeClient;
  /** The test's own connection to libvirtd. */
  libvirt!: LibvirtClient;
  /** The guest's kernel, ramdisk, command line and ready line. */
  guest!: TestGuest;
  private conf = "";
  private vhost: TestVhost | undefined;
  private apiDb: TestDatabase | undefined;
  private cellDb: TestDatabase | undefined;
  private cell0Name: string | undefined;

  /** Names the cluster; nothing is created until {@link LibvirtCluster.setUp}. */
  constructor(private readonly options: LibvirtClusterOptions) {
    this.namePrefix = `nova-ts-${options.slug}-${this.tag}-`;
  }

  /**
   * Creates the folder, the images, the vhost and databases, writes nova.conf, sets up the cells and flavors and
   * starts the conductor and the scheduler; computes and the API are the test's to start.
   */
  async setUp(): Promise<void> {
    const { slug } = this.options;
    const socketPath = requireLibvirtd();
    this.guest = await ensureTestGuest();
    this.libvirt = await LibvirtClient.connect({ uri: "qemu:///system", socketPath });
    this.dir = mkdtempSync(join(tmpdir(), `nova-${slug}-`));
    await this.writeImages();
    this.vhost = await createTestVhost(`nova-${slug}`);
    this.apiDb = await createTestDatabase(`${slug}_api`);
    this.cellDb = await createTestDatabase(`${slug}_cell`);
    this.cell0Name = `${this.cellDb.name}_cell0`;
    const c = await mysql.createConnection({ ...defaultMariaDb });
    try {
      await c.query(`CREATE DATABASE \`${this.cell0Name}\` CHARACTER SET utf8mb4`);
    } finally {
      await c.end();
    }
    const port = await freePort();
    this.conf = join(this.dir, "nova.conf");
    writeFileSync(
      this.conf,
      [
        "[DEFAULT]",
        `transport_url = ${this.vhost.transportUrl}`,
        `state_path = ${this.dir}`,
        `instance_name_template = ${this.namePrefix}%08x`,
        "report_interval = 1",
        ...this.options.defaults(this.dir),
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
        `connection = ${this.apiDb.url}`,
        "[database]",
        `connection = ${this.cellDb.url}`,
        "",
      ].join("\n"),
    );
    await this.runManage("cell_v2", "simple_cell_setup");
    const apiDb = openApiDatabase({ connection: this.apiDb.url });
    try {
      for (const f of this.options.flavors) await apiDb.flavors.create({ flavorid: f.name, ...f });
    } finally {
      await apiDb.close();
    }
    await this.started(
      this.startApp("nova-conductor", "conductor", { OS_DEFAULT__HOST: `conductor-${this.tag}` }),
    );
    await this.started(
      this.startApp("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: `scheduler-${this.tag}` }),
    );
    this.api = new ComputeClient({ endpoint: `http://127.0.0.1:${port}/v2.1`, token: "admin:admin" });
  }

  // The root disk is an empty qcow2: the guest runs from its initramfs, booted directly from kernel and ramdisk
  // images named by the root image's properties, as Glance's AMI-style images are.
  private async writeImages(): Promise<void> {
    const rootImage = join(this.dir, "root.qcow2");
    await new QemuImg().create(rootImage, "qcow2", 64 * 1024 * 1024);
    const { root: rootId, kernel, ramdisk } = this.images;
    const images = [
      {
        id: rootId,
        name: "nova-ts-test-guest",
        file: rootImage,
        properties: { kernel_id: kernel, ramdisk_id: ramdisk, os_command_line: this.guest.cmdline },
        created_at: "2026-11-27T00:00:00Z",
      },
      { id: kernel, name: "nova-ts-test-guest-kernel", file: this.guest.kernelPath },
      { id: ramdisk, name: "nova-ts-test-guest-ramdisk", file: this.guest.initrdPath },
    ];
    writeFileSync(join(this.dir, "images.json"), JSON.stringify({ images }));
  }

  /** Starts `apps/<app>` on the cluster's nova.conf. */
  startApp(app: string, name: string, env: Record<string, string> = {}, args: string[] = []): Proc {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "apps", app, "src/main.ts"), "--config-file", this.conf, ...args],
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
    this.procs.push(p);
    return p;
  }

  /** The tail of every app's output, for failure messages. */
  allLogs(): string {
    return this.procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-4000)}`).join("\n");
  }

  /** Polls `probe` until it returns a value (errors count as "not yet"); fails with every app's log. */
  async until<T>(
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
        throw new Error(
          `timed out waiting for ${what} (last error: ${String(lastError)})\n${this.allLogs()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async runManage(...args: string[]): Promise<void> {
    const p = this.startApp("nova-manage", `nova-manage ${args.join(" ")}`, {}, args);
    const code = await p.exited;
    this.procs.splice(this.procs.indexOf(p), 1);
    if (code !== 0) throw new Error(`nova-manage ${args.join(" ")} exited ${code}: ${p.output.join("")}`);
  }

  /** Waits for the app's "started" log line. */
  async started(p: Proc): Promise<void> {
    await this.until(`${p.name} to start`, async () =>
      /"msg":"started"/.test(p.output.join("")) ? true : undefined,
    );
  }

  /** Waits until every one of `hosts` has an "up" nova-compute service. */
  async computesUp(hosts: readonly string[]): Promise<void> {
    await this.until(`${hosts.join(", ")} up`, async () => {
      const services = await this.api.listServices({ binary: "nova-compute" });
      return hosts.every((h) => services.some((s) => s.host === h && s.state === "up")) ? true : undefined;
    });
  }

  /** Waits for the server to reach `status` with no task running (ERROR ends the wait at once). */
  async settledAt(id: string, status: ServerStatus) {
    return this.until(`server ${id} to be ${status}`, async () => {
      const s = await this.api.getServer(id);
      if (s.status === "ERROR")
        throw new Error(`server ${id} went to ERROR: ${s.fault?.message}\n${this.allLogs()}`);
      return s.status === status && s["OS-EXT-STS:task_state"] === null ? s : undefined;
    });
  }

  /** Waits until the API answers 404 for the server. */
  async gone(id: string): Promise<void> {
    await this.until(`server ${id} to be gone`, async () =>
      this.api.getServer(id).then(
        () => undefined,
        (e: unknown) => (ComputeApiError.isInstance(e) && e.status === 404 ? true : undefined),
      ),
    );
  }

  /** Waits for the guest's ready line in the console output the API serves. */
  async waitForReady(id: string): Promise<void> {
    await this.until(`the guest's ready line in ${id}'s console output`, async () =>
      (await this.api.getConsoleOutput(id)).includes(this.guest.readyLine) ? true : undefined,
    );
  }

  /** The guest's libvirt domain, found by the instance uuid (Nova's domain uuid). */
  domain(id: string): Promise<DomainRef> {
    return this.libvirt.domainLookupByUuid(id);
  }

  /** The domain's libvirt state. */
  async domainState(id: string): Promise<number> {
    return (await this.libvirt.domainGetState(await this.domain(id))).state;
  }

  /** Domains of this test on the shared daemon. */
  async ourDomains(): Promise<DomainRef[]> {
    return (await this.libvirt.listAllDomains()).filter((d) => d.name.startsWith(this.namePrefix));
  }

  /** Kills what still runs and removes every guest, database, vhost and file of the test, whatever failed. */
  async dispose(): Promise<void> {
    for (const p of this.procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    }
    await Promise.allSettled(this.procs.map((p) => p.exited));
    if (this.libvirt) {
      for (const d of await this.ourDomains().catch(() => [])) {
        await this.libvirt.domainDestroy(d).catch(() => {});
        await this.libvirt.domainUndefine(d, UndefineFlags.MANAGED_SAVE).catch(() => {});
      }
      await this.libvirt.close();
    }
    const c = await mysql.createConnection({ ...defaultMariaDb }).catch(() => undefined);
    if (this.cell0Name) await c?.query(`DROP DATABASE IF EXISTS \`${this.cell0Name}\``);
    await c?.end();
    await Promise.allSettled([this.apiDb?.dispose(), this.cellDb?.dispose(), this.vhost?.dispose()]);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
