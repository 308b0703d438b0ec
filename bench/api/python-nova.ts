// Debian's python3-nova nova-api, seeded with the plan, on a loopback port: databases of its own on MariaDB
// (API, cell1, cell0) and a RabbitMQ vhost of its own, as nova-api is deployed. close() stops it and drops
// them.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, createTestVhost, type TestDatabase } from "@nova/testing";
import type { SeedPlan } from "./seed-plan.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(fileURLToPath(new URL(".", import.meta.url)), "python_nova_api.py");

/** A running Python nova-api. */
export interface PythonNova {
  endpoint: string;
  close(): Promise<void>;
}

/** Why Python Nova cannot run here, or undefined when it can. */
export function pythonNovaMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ["-c", "import nova.cmd.api, pymysql"], { stdio: "ignore" });
  return probe.status === 0
    ? undefined
    : "python3-nova is not installed (scripts/setup-services.sh installs it)";
}

/** The port nova-api logged it listens on (nova.wsgi: "osapi_compute listening on 127.0.0.1:<port>"). */
function listeningPort(logFile: string): number | undefined {
  let text = "";
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return undefined;
  }
  const m = /osapi_compute listening on 127\.0\.0\.1:(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Runs the script to its end; rejects with its output's tail if it fails or outlives `timeoutMs`. */
function runToEnd(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr?.on("data", (c: Buffer) => {
      err = (err + c.toString()).slice(-3000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`python_nova_api.py ${args[0]} ended with ${code ?? signal}: ${err}`));
    });
  });
}

/**
 * Seeds and starts Python Nova's nova-api with `workers` API worker processes (osapi_compute_workers).
 * Seeding runs nova-manage's syncs (a few minutes on a loaded machine) and writes the plan through Nova's objects.
 */
export async function startPythonNova(
  plan: SeedPlan,
  workers: number,
  log: (msg: string) => void,
): Promise<PythonNova> {
  const dir = mkdtempSync(join(tmpdir(), "nova-bench-api-py-"));
  const owned: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  let server: ChildProcess | undefined;
  const close = async () => {
    if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      // Its own process group: oslo.service's launcher and the API workers it forked.
      process.kill(-server.pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(-server!.pid!, "SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const undo of owned.reverse()) await undo().catch(() => undefined);
  };
  try {
    const dbs: TestDatabase[] = [];
    for (const name of ["novapy_api", "novapy_cell", "novapy_cell0"]) {
      const db = await createTestDatabase(`bench_${name}`);
      owned.push(() => db.dispose());
      dbs.push(db);
    }
    const vhost = await createTestVhost("nova-bench-api-py");
    owned.push(() => vhost.dispose());
    const settingsFile = join(dir, "plan.json");
    writeFileSync(
      settingsFile,
      JSON.stringify({
        ...plan,
        // Port 0: the kernel picks a free one and nova-api logs which.
        port: 0,
        workers,
        transport_url: vhost.transportUrl,
        api_db: dbs[0]!.url,
        cell_db: dbs[1]!.url,
        cell0_db: dbs[2]!.url,
      }),
    );
    const t0 = performance.now();
    await runToEnd(["seed", dir, settingsFile], 20 * 60_000);
    log(`Python Nova seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    server = spawn(PYTHON, [SCRIPT, "serve", dir], { stdio: "ignore", detached: true });
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`Python nova-api exited with ${server.exitCode}`);
      const port = listeningPort(join(dir, "nova-api.log"));
      const ok =
        port !== undefined &&
        (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.ok,
          () => false,
        ));
      if (ok) return { endpoint: `http://127.0.0.1:${port}/v2.1`, close };
      if (Date.now() > deadline) throw new Error("Python nova-api did not answer GET / within 240 s");
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (err) {
    const logFile = join(dir, "nova-api.log");
    let tail = "";
    try {
      tail = readFileSync(logFile, "utf8").slice(-2000);
    } catch {}
    await close();
    throw tail ? new Error(`${err instanceof Error ? err.message : String(err)}\n${tail}`) : err;
  }
}
