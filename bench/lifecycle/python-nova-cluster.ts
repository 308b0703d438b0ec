// Debian's python3-nova (Zed) as a whole cell for bench/lifecycle's Nova column: placement, nova-conductor,
// nova-api, `computes` nova-compute (fake.FakeLiveMigrateDriver, a host each) and nova-scheduler as separate
// processes, on a RabbitMQ vhost and MariaDB databases (nova_api, nova_cell0, nova_cell1, placement) of its
// own. Glance and Neutron are answered in process (python_nova_cluster.py says how). close() stops it all and
// drops them.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, createTestVhost, defaultMariaDb } from "@nova/testing";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(fileURLToPath(new URL(".", import.meta.url)), "python_nova_cluster.py");

/** A running Python Nova cell with fake computes. */
export interface PythonNovaCluster {
  /** The Compute API, e.g. `http://127.0.0.1:<port>/v2.1`. */
  endpoint: string;
  /** The token its noauth2 pipeline takes (user `admin`, project `admin`). */
  token: string;
  /** Where its configuration and each service's log are. */
  dir: string;
  /** Stops every process (computes first), drops its vhost and databases, and removes `dir` unless `keepLogs`. */
  close(keepLogs?: boolean): Promise<void>;
}

/** Why the Python Nova cell cannot run here, or undefined when it can. */
export function pythonNovaClusterMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ["-c", "import nova.cmd.compute, placement.wsgi, pymysql"], {
    stdio: "ignore",
  });
  return probe.status === 0
    ? undefined
    : "python3-nova or python3-placement is not installed (scripts/setup-services.sh installs them)";
}

/** Runs one mode of the script to its end; rejects with its output's tail on failure or after `timeoutMs`. */
function runToEnd(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      err = (err + c.toString()).slice(-3000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`python_nova_cluster.py ${args[0]} ended with ${code ?? signal}: ${err}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 500 ms until it returns a value; throws `what` after `timeoutMs`, or what `probe` throws. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Python Nova: ${what} not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/**
 * Builds and starts the cell: placement (db sync, then served), nova-manage's syncs and cell mappings, the two
 * flavors and lifted quotas, nova-conductor and nova-api, the computes, `cell_v2 discover_hosts` once they
 * registered, then nova-scheduler. Several minutes on a loaded machine (every process imports Nova).
 */
export async function startPythonNovaCluster(
  computes: number,
  log: (msg: string) => void,
  /** MariaDB's socket, for every database URL (pymysql's `unix_socket`), as nova-ts is given it. */
  unixSocket?: string,
): Promise<PythonNovaCluster> {
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-lc-py-"));
  const owned: Array<() => Promise<void>> = [];
  const procs: Array<[string, ChildProcess]> = [];
  const stop = async (child: ChildProcess) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // Its own process group: oslo.service's launcher and the workers it forked.
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const close = async (keepLogs = false) => {
    // Computes first, then the scheduler, API and conductor, placement last: the reverse of the start.
    for (const [, child] of [...procs].reverse()) await stop(child).catch(() => undefined);
    for (const undo of owned.reverse()) await undo().catch(() => undefined);
    if (!keepLogs) rmSync(dir, { recursive: true, force: true });
  };
  const start = (name: string, args: string[]) => {
    // Its stdout and stderr (a traceback before logging is set up) go to a file beside its log.
    const out = openSync(join(dir, `${name.replace(/ /g, "-")}.out`), "w");
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ["ignore", out, out], detached: true });
    closeSync(out);
    procs.push([name, child]);
    return child;
  };
  const alive = () => {
    const dead = procs.find(([, c]) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`Python ${dead[0]} exited with ${dead[1].exitCode ?? dead[1].signalCode}`);
  };
  try {
    const urls: Record<string, string> = {};
    for (const name of ["api_db", "cell0_db", "cell_db", "placement_db"]) {
      const db = await createTestDatabase(`lcpy_${name}`, defaultMariaDb, unixSocket ? { unixSocket } : {});
      owned.push(() => db.dispose());
      urls[name] = db.url;
    }
    const vhost = await createTestVhost("nova-bench-lc-py");
    owned.push(() => vhost.dispose());
    const settingsFile = join(dir, "settings.json");
    const settings: Record<string, string> = { ...urls, transport_url: vhost.transportUrl, project: "admin" };
    writeFileSync(settingsFile, JSON.stringify(settings));

    const t0 = performance.now();
    const secs = () => ((performance.now() - t0) / 1000).toFixed(0);
    start("placement", ["placement", dir]);
    const portFile = join(dir, "placement.port");
    const placementPort = await until(
      "placement listening",
      async () => {
        alive();
        return existsSync(portFile) ? Number(readFileSync(portFile, "utf8")) || undefined : undefined;
      },
      600_000,
    );
    settings.placement_url = `http://127.0.0.1:${placementPort}`;
    writeFileSync(settingsFile, JSON.stringify(settings));
    await runToEnd(["seed", dir], 20 * 60_000);
    log(`Python Nova: placement up and nova-manage done in ${secs()} s`);

    start("nova-conductor", ["service", dir, "conductor", "py-ctl"]);
    start("nova-api", ["service", dir, "api", "py-ctl"]);
    for (let i = 1; i <= computes; i++)
      start(`nova-compute py-cpu-${i}`, ["service", dir, "compute", `py-cpu-${i}`]);
    const apiLog = join(dir, "nova-api-py-ctl.log");
    const endpoint = await until(
      "nova-api answering",
      async () => {
        alive();
        const m = existsSync(apiLog)
          ? /osapi_compute listening on 127\.0\.0\.1:(\d+)/.exec(readFileSync(apiLog, "utf8"))
          : null;
        if (!m) return undefined;
        const ok = await fetch(`http://127.0.0.1:${m[1]}/`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.ok,
          () => false,
        );
        return ok ? `http://127.0.0.1:${m[1]}/v2.1` : undefined;
      },
      600_000,
    );
    const token = "admin:admin";
    const upCount = async (binary: string) => {
      const res = await fetch(`${endpoint}/os-services?binary=${binary}`, {
        headers: { "x-auth-token": token },
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await res.json()) as { services: Array<{ state: string }> };
      return body.services.filter((s) => s.state === "up").length;
    };
    await until(
      `${computes} nova-compute up`,
      async () => {
        alive();
        return (await upCount("nova-compute").catch(() => 0)) === computes ? true : undefined;
      },
      600_000,
    );
    // A compute's node row comes just after its service row: discover until every host is mapped.
    let mapped = 0;
    await until(
      `${computes} compute hosts mapped to cell1`,
      async () => {
        const out = await runToEnd(["discover", dir], 300_000);
        for (const m of out.matchAll(/Creating host mapping for compute host '[^']+'/g)) if (m) mapped++;
        return mapped >= computes ? true : undefined;
      },
      600_000,
    );
    start("nova-scheduler", ["service", dir, "scheduler", "py-ctl"]);
    await until(
      "nova-scheduler up",
      async () => {
        alive();
        return (await upCount("nova-scheduler").catch(() => 0)) === 1 ? true : undefined;
      },
      600_000,
    );
    log(
      `Python Nova up in ${secs()} s: placement, nova-api, nova-conductor, nova-scheduler, ${computes} nova-compute (fake.FakeLiveMigrateDriver); logs in ${dir}`,
    );
    return { endpoint, token, dir, close };
  } catch (err) {
    // Its logs stay for the post-mortem.
    await close(true);
    throw new Error(`${err instanceof Error ? err.message : String(err)} (logs in ${dir})`);
  }
}
