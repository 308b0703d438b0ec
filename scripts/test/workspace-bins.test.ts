import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

// `npx <bin>` from the repo root must run the workspace's own command (through its bin launcher), not fetch a
// package of that name from the registry: --no-install makes a missing link fail instead of downloading.
describe.concurrent("workspace commands after npm install", () => {
  it.each([
    ["nova-rpc", "Talk oslo.messaging RPC"],
    ["nova-scheduler-replay", "Replay Nova scheduler differential cases"],
    ["nova-manage", "nova-ts management"],
    ["nova", "The OpenStack Compute API from the command line"],
  ])("npx %s --help prints the workspace command's help", { timeout: 300_000 }, async (bin, description) => {
    const { stdout } = await run("npx", ["--no-install", bin, "--help"], { cwd: root });
    expect(stdout).toContain(`Usage: ${bin}`);
    expect(stdout).toContain(description);
  });
});
