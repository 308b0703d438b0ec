import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { freePort } from "./free-port.js";
import { createTestDatabase, defaultMariaDb, type TestDatabase } from "./mariadb-database.js";
import { createTestVhost, type TestVhost } from "./rabbit-vhost.js";

/** The image every cluster's catalog has (nova-api reads `<state_path>/images.json`). */
export const CLUSTER_IMAGE_ID = "155d900f-4e14-4e4c-a73d-069cbf4541e6";

/** The nova-ts apps a cluster can start (`apps/<app>/src/main.ts`). */
export type NovaApp =
  | "nova-api"
  | "nova-conductor"
  | "nova-scheduler"
  | "nova-compute"
  | "nova-manage"
  | "nova-console";

/** nova.conf groups: option -> value. */
export type NovaConfGroups = Record<string, Record<string, string | number | boolean>>;

/** One app running as its own process: its recent output kept for diagnostics, its exit awaitable. */
export interface AppProcess {
  readonly name: string;
  /** Which app it runs. */
  readonly app: NovaApp;
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** How to build a cluster. */
export interface ProcessClusterOptions {
  /** The repository root: apps are started as `node --import tsx apps/<app>/src/main.ts` from there. */
  root: string;
  /** Prefix of the vhost and database names. */
  prefix: string;
  /**
   * Options over the cluster's own (transport_url, the database connections, state_path, the API's listen
   * address and port, compute_driver fake.FakeDriver). Every process reads this one nova.conf; per-process
   * differences go in `OS_<GROUP>__<OPTION>` variables given to start().
   */
  conf?: NovaConfGroups;
  /** How many output chunks each process keeps (default 400). */
  keepOutput?: number;
  /** MariaDB's socket: the database URLs connect through it (`unix_socket`) instead of 127.0.0.1:3306. */
  unixSocket?: string;
}

/**
 * nova-ts as separate processes over the real RabbitMQ and MariaDB: a vhost and API, cell and cell0 databases
 * of its own, one nova.conf, `nova-manage cell_v2 simple_cell_setup` run, and helpers to start, stop and wait
 * on the apps. dispose() kills what is left and drops everything.
 */
export class ProcessCluster {
  readonly procs: AppProcess[] = [];

  private constructor(
    private readonly opts: ProcessClusterOptions,
    /** A temporary folder: nova.conf, images.json. */
    readonly dir: string,
    /** The nova.conf every process reads. */
    readonly confPath: string,
    readonly vhost: TestVhost,
    readonly apiDb: TestDatabase,
    readonly cellDb: TestDatabase,
    private readonly cell0Name: string,
    /** nova-api's port. */
    readonly apiPort: number,
  ) {}

  /** The Compute API endpoint nova-api serves once started. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.apiPort}/v2.1`;
  }

  /** Creates the vhost and databases, writes nova.conf and images.json, and runs simple_cell_setup. */
  static async create(opts: ProcessClusterOptions): Promise<ProcessCluster> {
    const dir = mkdtempSync(join(tmpdir(), `nova-${opts.prefix}-`));
    const made: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
    try {
      const vhost = await createTestVhost(`nova-${opts.prefix}`);
      made.push(() => vhost.dispose());
      const socket = opts.unixSocket ? { unixSocket: opts.unixSocket } : {};
      const apiDb = await createTestDatabase(`${opts.prefix}_api`, defaultMariaDb, socket);
      made.push(() => apiDb.dispose());
      const cellDb = await createTestDatabase(`${opts.prefix}_cell`, defaultMariaDb, socket);
      made.push(() => cellDb.dispose());
      // nova-manage maps cell0 to the cell's database name with _cell0 appended, as Nova does.
      const cell0Name = `${cellDb.name}_cell0`;
      await onMariaDb((c) => c.query(`CREATE DATABASE \`${cell0Name}\` CHARACTER SET utf8mb4`));
      made.push(() => onMariaDb((c) => c.query(`DROP DATABASE IF EXISTS \`${cell0Name}\``)));
      writeFileSync(
        join(dir, "images.json"),
        JSON.stringify({
          images: [
            {
              id: CLUSTER_IMAGE_ID,
              name: "cirros",
              min_ram: 0,
              min_disk: 0,
              size: 21430272,
              properties: {},
              created_at: "2026-11-27T00:00:00Z",
            },
          ],
        }),
      );
      const apiPort = await freePort();
      const confPath = join(dir, "nova.conf");
      writeFileSync(
        confPath,
        novaConf(
          {
            DEFAULT: {
              transport_url: vhost.transportUrl,
              state_path: dir,
              osapi_compute_listen: "127.0.0.1",
              osapi_compute_listen_port: apiPort,
              compute_driver: "fake.FakeDriver",
            },
            api_database: { connection: apiDb.url },
            database: { connection: cellDb.url },
          },
          opts.conf ?? {},
        ),
      );
      const cluster = new ProcessCluster(opts, dir, confPath, vhost, apiDb, cellDb, cell0Name, apiPort);
      await cluster.manage("cell_v2", "simple_cell_setup");
      return cluster;
    } catch (err) {
      for (const undo of made.reverse()) await undo().catch(() => undefined);
      throw err;
    }
  }

  /** Starts `app` as a process named `name`, with extra environment (e.g. `OS_DEFAULT__HOST`). */
  start(app: NovaApp, name: string, env: Record<string, string> = {}, args: string[] = []): AppProcess {
    const child = spawn(
      process.execPath,
      [
        // NOVA_PROFILE_DIR: every app writes a V8 CPU profile there when it stops cleanly (bench profiling).
        ...(process.env.NOVA_PROFILE_DIR
          ? ["--cpu-prof", `--cpu-prof-dir=${process.env.NOVA_PROFILE_DIR}`]
          : []),
        "--import",
        "tsx",
        join(this.opts.root, "apps", app, "src/main.ts"),
        "--config-file",
        this.confPath,
        ...args,
      ],
      { cwd: this.opts.root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const output: string[] = [];
    const keep = this.opts.keepOutput ?? 400;
    const record = (b: Buffer) => {
      output.push(b.toString());
      if (output.length > keep) output.shift();
    };
    child.stdout?.on("data", record);
    child.stderr?.on("data", record);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const p: AppProcess = { name, app, child, output, exited };
    this.procs.push(p);
    return p;
  }

  /** Signals the process (SIGTERM by default) and waits for its exit code; SIGKILLs it after 30 s and throws. */
  async stop(p: AppProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (isLive(p)) p.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), 30_000);
    });
    const code = await Promise.race([p.exited, timeout]).finally(() => clearTimeout(timer));
    if (code === "timeout") {
      p.child.kill("SIGKILL");
      throw new Error(`${p.name} did not exit after ${signal}:\n${this.logs()}`);
    }
    return code;
  }

  /** Stops the process and forgets it (so a replacement can take its name). */
  async remove(p: AppProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const code = await this.stop(p, signal);
    this.procs.splice(this.procs.indexOf(p), 1);
    return code;
  }

  /** The processes still running. */
  live(): AppProcess[] {
    return this.procs.filter(isLive);
  }

  /** The process named `name` (the last one started under it). */
  get(name: string): AppProcess {
    const p = this.procs.findLast((x) => x.name === name);
    if (!p) throw new Error(`no process named ${name}`);
    return p;
  }

  /** Runs nova-manage with these arguments and returns its output; throws with the output on failure. */
  async manage(...args: string[]): Promise<string> {
    const p = this.start("nova-manage", `nova-manage ${args.join(" ")}`, {}, args);
    const code = await p.exited;
    this.procs.splice(this.procs.indexOf(p), 1);
    if (code !== 0) throw new Error(`nova-manage ${args.join(" ")} exited ${code}: ${p.output.join("")}`);
    return p.output.join("");
  }

  /** `nova-manage flavor create`, as an operator would run it. */
  createFlavor(f: { name: string; id: string; ram: number; vcpus: number; disk: number }): Promise<string> {
    return this.manage(
      ...["flavor", "create", f.name, "--id", f.id, "--ram", `${f.ram}`, "--vcpus", `${f.vcpus}`],
      ...["--disk", `${f.disk}`],
    );
  }

  /** Waits until the process logged that its services started. */
  async started(p: AppProcess, timeoutMs = 45_000): Promise<void> {
    await this.until(
      `${p.name} to start`,
      async () => {
        if (!isLive(p)) throw new Error(`${p.name} exited`);
        return /"msg":"started"/.test(p.output.join("")) ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** Polls `probe` every 200 ms until it returns a value (errors count as no value yet); throws with the logs. */
  async until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The tail of every process's output, for failure messages. */
  logs(tail = 3000): string {
    return this.procs.map((p) => `--- ${p.name}\n${p.output.join("").slice(-tail)}`).join("\n");
  }

  /**
   * SIGTERMs every live process and returns each one's exit code, in the order an operator stops a
   * deployment: computes first (they drain through the conductor: one whose conductor stopped first waits
   * rpc_response_timeout on its last calls), then the API and the scheduler, the conductor last.
   */
  async stopAll(): Promise<Array<[string, number | null]>> {
    const waves: NovaApp[][] = [["nova-compute"], ["nova-api", "nova-scheduler"], ["nova-conductor"]];
    const codes: Array<[string, number | null]> = [];
    const stopWave = async (procs: AppProcess[]) => {
      for (const [name, code] of await Promise.all(
        procs.map(async (p) => [p.name, await this.stop(p)] as [string, number | null]),
      ))
        codes.push([name, code]);
    };
    for (const wave of waves) await stopWave(this.live().filter((p) => wave.includes(p.app)));
    await stopWave(this.live());
    return codes;
  }

  /** Kills what still runs and drops the vhost, the databases and the folder. */
  async dispose(): Promise<void> {
    for (const p of this.procs) if (isLive(p)) p.child.kill("SIGKILL");
    await Promise.allSettled(this.procs.map((p) => p.exited));
    await onMariaDb((c) => c.query(`DROP DATABASE IF EXISTS \`${this.cell0Name}\``)).catch(() => undefined);
    await Promise.allSettled([this.apiDb.dispose(), this.cellDb.dispose(), this.vhost.dispose()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function isLive(p: AppProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** nova.conf text from the base groups with `over`'s options replacing or adding to them. */
function novaConf(base: NovaConfGroups, over: NovaConfGroups): string {
  const groups: NovaConfGroups = { ...base };
  for (const [g, options] of Object.entries(over)) groups[g] = { ...(groups[g] ?? {}), ...options };
  return Object.entries(groups)
    .map(([g, options]) => [`[${g}]`, ...Object.entries(options).map(([k, v]) => `${k} = ${v}`)].join("\n"))
    .join("\n\n")
    .concat("\n");
}

async function onMariaDb<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<void> {
  const c = await mysql.createConnection({ ...defaultMariaDb });
  try {
    await fn(c);
  } finally {
    await c.end();
  }
}
