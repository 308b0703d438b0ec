// Nova forbids database access from computes: starting nova-compute must not even load a database driver.
// The compute runs as its own process (fake driver, fake:// transport, so no conductor ever answers) with a
// module hook that records every module it resolves; once it is past composing and is asking the conductor for
// its service row, everything it loads at start has been loaded.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));

let dir: string;
let resolved: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nova-compute-modules-"));
  const conf = join(dir, "nova.conf");
  const moduleLog = join(dir, "modules.txt");
  writeFileSync(moduleLog, "");
  writeFileSync(
    conf,
    [
      "[DEFAULT]",
      "host = modules-check",
      "transport_url = fake://",
      "compute_driver = fake.FakeDriver",
      `state_path = ${dir}`,
      "rpc_response_timeout = 1",
      "",
    ].join("\n"),
  );
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      join(here, "record-resolved-modules.mjs"),
      join(root, "apps/nova-compute/src/main.ts"),
      "--config-file",
      conf,
    ],
    { cwd: root, env: { ...process.env, NOVA_MODULE_LOG: moduleLog }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The first "waiting for nova-conductor" warning: the compute was composed and its start() is under way.
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("Timed out waiting for nova-conductor")) resolve();
    });
    void exited.then((code) =>
      reject(new Error(`nova-compute exited (${code}) before starting:\n${stderr}`)),
    );
  });
  child.kill("SIGTERM");
  await exited;
  resolved = readFileSync(moduleLog, "utf8").split("\n").filter(Boolean);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("nova-compute", () => {
  it("loads the compute service and its driver (the hook saw the process's modules)", () => {
    expect(resolved.some((url) => url.includes("/packages/compute/src/"))).toBe(true);
    expect(resolved.some((url) => url.includes("/packages/virt/src/"))).toBe(true);
  });

  it("loads no database driver, no query builder and no @nova/db", () => {
    const database = resolved.filter((url) =>
      /\/node_modules\/(mysql2|better-sqlite3|kysely)\/|\/packages\/db\/|\/packages\/api-backend\//.test(url),
    );
    expect(database).toEqual([]);
  });
});
