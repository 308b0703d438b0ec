import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createLogger } from "@nova/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNova } from "../../../packages/client/src/cli/run-nova.js";
import { type AllInOne, createAllInOne, DEFAULT_IMAGE_ID } from "../src/all-in-one.js";

// The `nova` command against the all-in-one control plane over HTTP, as a user's shell runs it (noauth2).
let aio: AllInOne;
let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "nova-cli-"));
  aio = await createAllInOne({
    dataDir,
    apiPort: 0,
    env: { OS_DEFAULT__REPORT_INTERVAL: "1" },
    logger: createLogger("nova-cli-test", { level: "warn" }),
  });
  for (const s of aio.services) await s.start();
  env = {
    HOME: dataDir, // no clouds.yaml of the machine's user
    OS_ENDPOINT: `http://127.0.0.1:${aio.apiPort()}/v2.1`,
    OS_TOKEN: "admin:admin",
  };
});
afterAll(async () => {
  for (const s of [...(aio?.services ?? [])].reverse()) await s.stop();
  await aio?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

async function nova(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return novaWith(env, ...argv);
}

async function novaWith(
  environment: Record<string, string>,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runNova(argv, {
    env: environment,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
  });
  return { code, stdout, stderr };
}

describe("the nova command against the all-in-one", () => {
  it("boots a server with --wait and JSON output, lists, shows, stops and deletes it", async () => {
    const created = await nova(
      "server",
      "create",
      "web-1",
      "--flavor",
      "m1.tiny",
      "--image",
      DEFAULT_IMAGE_ID,
      "--property",
      "role=web",
      "--wait",
      "--wait-timeout",
      "30",
      "--json",
    );
    expect(created.stderr).toMatch(/server web-1: ACTIVE after \d+s\n$/);
    expect(created.code).toBe(0);
    const server = JSON.parse(created.stdout);
    expect(server).toMatchObject({ name: "web-1", status: "ACTIVE", metadata: { role: "web" } });
    expect(server["OS-EXT-SRV-ATTR:host"]).toMatch(/^fake-\d$/);

    const listed = await nova("server", "list", "-f", "json");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((s: { id: string }) => s.id)).toContain(server.id);
    const table = await nova("server", "list");
    expect(table.stdout).toMatch(/\| ID +\| Name +\| Status +\| Networks +\| Image +\| Flavor +\|/);
    expect(table.stdout).toContain(`| ${server.id} | web-1 | ACTIVE |`);

    const shown = await nova("server", "show", "web-1");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/\| status +\| ACTIVE +\|/);
    expect(shown.stdout).toContain(`| id `);

    const stopped = await nova("server", "stop", "web-1", "--wait", "--json");
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout).status).toBe("SHUTOFF");
    expect((await nova("server", "start", "web-1")).stdout).toBe(
      "Request to start server web-1 has been accepted.\n",
    );

    const deleted = await nova("server", "delete", server.id, "--wait");
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe("Request to delete server web-1 has been accepted.\n");
    const gone = await nova("server", "show", server.id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      new RegExp(`^ERROR \\(ITEM_NOT_FOUND\\): Instance ${server.id} could not be found\\. \\(HTTP 404\\)`),
    );
    expect(gone.stderr).toMatch(/\(Request-ID: req-[0-9a-f-]+\)/);
    const byName = await nova("server", "show", "web-1");
    expect(byName).toMatchObject({
      code: 1,
      stderr: "ERROR (NOT_FOUND_BY_NAME): No server with a name or ID of 'web-1' exists.\n",
    });
  });

  it("exits 3 when --wait sees the server go to ERROR, with the instance fault", async () => {
    expect((await nova("flavor", "create", "huge", "--ram", "50000", "--vcpus", "1")).code).toBe(0);
    const result = await nova(
      "server",
      "create",
      "too-big",
      "--flavor",
      "huge",
      "--image",
      "cirros-0.6.2-x86_64-disk", // by name, through Nova's image proxy
      "--wait",
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/server too-big: ERROR after \d+s\n/);
    expect(result.stderr).toMatch(/ERROR \(SERVER_WAIT_ERROR_STATUS\): .*No valid host/);
    expect(result.stdout).toBe("");
    expect((await nova("server", "delete", "too-big", "--wait")).code).toBe(0);
    expect((await nova("flavor", "delete", "huge")).code).toBe(0);
  });

  it("manages flavors and key pairs, and shows hypervisors, services, quotas, aggregates and zones", async () => {
    const flavor = await nova(
      "flavor",
      "create",
      "cli.small",
      "--id",
      "cli-1",
      "--ram",
      "256",
      "--vcpus",
      "1",
      "--disk",
      "1",
      "--json",
    );
    expect(flavor.code).toBe(0);
    expect(JSON.parse(flavor.stdout)).toMatchObject({ id: "cli-1", name: "cli.small", ram: 256 });
    expect((await nova("flavor", "show", "cli.small")).stdout).toMatch(/\| ram +\| 256 +\|/);
    expect((await nova("flavor", "list")).stdout).toMatch(
      /\| cli-1 +\| cli\.small +\| 256 +\| 1 +\| 0 +\| 1 +\| true +\|/,
    );
    expect((await nova("flavor", "delete", "cli-1")).stdout).toBe("Flavor cli.small (cli-1) deleted.\n");
    expect((await nova("flavor", "show", "cli-1")).code).toBe(1);

    const key = await nova("keypair", "create", "cli-key", "--os-compute-api-version", "2.91");
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);
    const keys = JSON.parse((await nova("keypair", "list", "--json")).stdout);
    expect(keys.map((k: { name: string }) => k.name)).toContain("cli-key");
    expect((await nova("keypair", "delete", "cli-key")).code).toBe(0);
    expect((await nova("keypair", "show", "cli-key")).code).toBe(1);

    const hypervisors = JSON.parse((await nova("hypervisor", "list", "--json")).stdout);
    expect(hypervisors.length).toBe(3);
    const one = await nova("hypervisor", "show", hypervisors[0].hypervisor_hostname, "--json");
    expect(JSON.parse(one.stdout).id).toBe(hypervisors[0].id);
    const services = await nova("service", "list", "--binary", "nova-compute");
    expect(services.stdout.match(/nova-compute/g)?.length).toBe(3);
    expect(JSON.parse((await nova("quota", "show", "--json")).stdout)).toMatchObject({
      id: "admin",
      instances: 10,
    });
    expect((await nova("aggregate", "list")).code).toBe(0);
    expect((await nova("availability-zone", "list")).stdout).toMatch(/\| nova +\| available +\|/);
  });

  it("answers usage and configuration errors with exit code 2 and sends nothing", async () => {
    const noFlavor = await nova("server", "create", "x", "--image", DEFAULT_IMAGE_ID);
    expect(noFlavor).toMatchObject({ code: 2, stdout: "" });
    expect(noFlavor.stderr).toBe("nova: error: --flavor is required\nTry 'nova help server create'.\n");
    expect((await nova("server", "show")).stderr).toMatch(/missing argument: <server>/);
    expect((await nova("server", "list", "--flavour", "x")).code).toBe(2);
    expect((await nova("servers", "list")).stderr).toMatch(/unknown command: servers/);
    expect((await nova("server", "list", "-f", "yaml")).code).toBe(2);
    expect((await nova()).code).toBe(2);
    const unconfigured = await novaWith({ HOME: dataDir }, "server", "list");
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/^nova: configuration error: .*OS_AUTH_URL/);
    const help = await nova("server", "create", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: nova server create \[options\] <name>/);
    expect(help.stdout).toContain("--wait");
  });

  it("runs as the installed bin, configured from clouds.yaml with --os-cloud", {
    timeout: 120_000,
  }, async () => {
    const clouds = join(dataDir, "clouds.yaml");
    writeFileSync(
      clouds,
      `clouds:\n  aio:\n    auth_type: none\n    auth:\n      endpoint: ${env.OS_ENDPOINT}\n      token: admin:admin\n`,
    );
    const { stdout } = await promisify(execFile)(
      "npx",
      ["--no-install", "nova", "--os-cloud", "aio", "flavor", "list", "--json"],
      {
        env: { ...process.env, OS_CLIENT_CONFIG_FILE: clouds, OS_CLOUD: "" },
        cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      },
    );
    expect(JSON.parse(stdout).map((f: { name: string }) => f.name)).toContain("m1.tiny");
  });
});
