import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTestVhost, type TestVhost } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildProgram } from "../src/cli/nova-rpc.js";
import { Notifier, Transport } from "../src/index.js";

const CLI = fileURLToPath(new URL("../src/cli/nova-rpc.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the same program in this process, capturing stdout and the exit code. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const program = buildProgram().exitOverride();
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeErr: () => {} });
  try {
    process.exitCode = 0;
    await program.parseAsync(["node", "nova-rpc", ...args]);
    return { code: Number(process.exitCode ?? 0), stdout };
  } finally {
    process.exitCode = 0;
    spy.mockRestore();
  }
}

interface Daemon {
  child: ChildProcess;
  lines: string[];
  logs: string[];
}

/** Starts a long-running subcommand (own process group) and resolves once it logged `ready` on stderr. */
function daemon(args: string[], ready: string): Promise<Daemon> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const d: Daemon = { child, lines: [], logs: [] };
    createInterface({ input: child.stdout! }).on("line", (l) => d.lines.push(l));
    createInterface({ input: child.stderr! }).on("line", (l) => {
      d.logs.push(l);
      if (l.includes(`"msg":"${ready}"`)) resolve(d);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before ready: ${d.logs.join("\n")}`)));
  });
}

/** SIGTERMs the process group (npx, tsx and the CLI) and waits until npx is gone. */
function stop(d: Daemon): Promise<void> {
  return new Promise((resolve) => {
    d.child.removeAllListeners("exit");
    d.child.once("exit", () => resolve());
    process.kill(-d.child.pid!, "SIGTERM");
  });
}

describe("nova-rpc (spawned with tsx against a real vhost)", () => {
  let vhost: TestVhost;
  beforeAll(async () => {
    vhost = await createTestVhost("msg-cli");
  });
  afterAll(async () => {
    await vhost.dispose();
  });

  it("serve answers call, cast and fanout; errors print as JSON with a non-zero exit", async () => {
    const url = vhost.transportUrl;
    const server = await daemon(["serve", "--url", url, "--topic", "cli", "--server", "srv1"], "serving");
    try {
      const common = ["--url", url, "--topic", "cli", "--timeout", "90"];
      const [echo, fail, cast, fanout] = await Promise.all([
        cli(["call", ...common, "--method", "echo", "--args", '{"value": {"a": [1, "x"]}}']),
        cli(["call", ...common, "--method", "fail", "--args", '{"message": "nope"}']),
        cli(["cast", "--url", url, "--topic", "cli", "--method", "echo", "--args", '{"value": 1}']),
        cli(["fanout", "--url", url, "--topic", "cli", "--method", "echo", "--args", '{"value": 1}']),
      ]);
      expect(echo.code).toBe(0);
      expect(JSON.parse(echo.stdout)).toEqual({ a: [1, "x"] });
      expect(fail.code).toBe(1);
      expect(JSON.parse(fail.stdout).error).toMatchObject({
        code: "MESSAGING_REMOTE_ERROR",
        type: "ValueError",
        module: "builtins",
        message: "nope",
      });
      expect(JSON.parse(cast.stdout)).toEqual({ sent: "cast", confirmed: true });
      expect(JSON.parse(fanout.stdout)).toEqual({ sent: "fanout", confirmed: true });

      // The remaining options, in process (each spawn costs seconds): same program, same serve daemon.
      const add = await inProcess([
        "call",
        ...common,
        "--server",
        "srv1",
        "--method",
        "add",
        "--args",
        '{"a": 2, "b": 40}',
        "--version",
        "1.3",
      ]);
      expect(add).toEqual({ code: 0, stdout: "42\n" });
      const slept = await inProcess([
        "call",
        ...common,
        "--method",
        "sleep",
        "--args",
        '{"seconds": 0.2}',
        "--context",
        '{"request_id": "r"}',
      ]);
      expect(slept).toEqual({ code: 0, stdout: "0.2\n" });
      const badVersion = await inProcess(["call", ...common, "--method", "echo", "--version", "2.0"]);
      expect(badVersion.code).toBe(1);
      expect(JSON.parse(badVersion.stdout).error).toMatchObject({ code: "MESSAGING_UNSUPPORTED_VERSION" });
      const timeout = await inProcess([
        "call",
        "--url",
        url,
        "--topic",
        "nobody",
        "--method",
        "echo",
        "--timeout",
        "1",
      ]);
      expect(timeout.code).toBe(1);
      expect(JSON.parse(timeout.stdout).error).toMatchObject({ code: "MESSAGING_TIMEOUT", retryable: true });
      await expect(inProcess(["call", ...common, "--method", "echo", "--args", "[1]"])).rejects.toThrow(
        /--args must be a JSON object/,
      );
    } finally {
      await stop(server);
    }
    // The CLI drained and closed on SIGTERM rather than dying.
    await expect.poll(() => server.logs.some((l) => l.includes("stopping: draining"))).toBe(true);
  }, 240_000);

  it("notifications prints each notification as a JSON line", async () => {
    const listener = await daemon(["notifications", "--url", vhost.transportUrl], "listening");
    const lines = listener.lines;
    const transport = new Transport(vhost.transportUrl);
    try {
      await new Notifier(transport, { publisherId: "compute.h1" }).info({ request_id: "req-9" }, "x.y", {
        k: "v",
      });
      await expect.poll(() => lines.length, { timeout: 15_000 }).toBe(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        priority: "info",
        event_type: "x.y",
        publisher_id: "compute.h1",
        payload: { k: "v" },
        context: { request_id: "req-9" },
      });
    } finally {
      await transport.close();
      await stop(listener);
    }
  }, 120_000);
});
