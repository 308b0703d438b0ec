// Debian's python3-openstackclient and python3-openstacksdk against the five apps as separate processes
// (nova-api, nova-conductor, nova-scheduler, two nova-compute on the fake driver) over a fresh RabbitMQ vhost
// and MariaDB databases: the commands users type, as they type them.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ComputeClient } from "@nova/client";
import { CLUSTER_IMAGE_ID, ProcessCluster } from "@nova/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);
const HOSTS = ["compute-1", "compute-2"];

/** Values one step learns (a server id) for the steps after it. */
type Learned = Record<string, string>;

/**
 * One `openstack` invocation: its arguments (`-f json` is added when `json`), the microversion it asks for,
 * and what its output must show. `check` may return values for later steps.
 */
interface CliStep {
  name: string;
  args: (learned: Learned) => string[];
  microversion?: string;
  json?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: openstackclient's JSON output, checked field by field.
  check?: (out: any, learned: Learned) => Learned | undefined;
}

type Row = Record<string, unknown>;
const column = (rows: Row[], name: string) => rows.map((r) => r[name]);

/**
 * The command list, in waves: the steps of a wave run in parallel (each `openstack` call spends about a
 * second starting Python), a wave starts when the one before it finished. Append steps for new resources
 * (flavor create/set, server group, aggregate, availability zone, quota, limits, usage, server event list,
 * server set/unset) as a new wave or into one whose state they need. Waiting on routes not served yet:
 * `flavor list`/`flavor show` (they read `/flavors/{id}/os-extra_specs` for every flavor without extra specs)
 * and `hypervisor show` (it lists `/os-aggregates` to fill its aggregates field).
 */
const WAVES: CliStep[][] = [
  [
    {
      name: "keypair create (generated)",
      args: () => ["keypair", "create", "cli-key"],
      check: (out: string) => {
        expect(out).toMatch(/-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);
        return undefined;
      },
    },
    {
      name: "hypervisor list",
      args: () => ["hypervisor", "list"],
      json: true,
      check: (rows: Row[]) => {
        expect(column(rows, "Hypervisor Hostname").sort()).toEqual(HOSTS);
        expect(column(rows, "State")).toEqual(["up", "up"]);
        return undefined;
      },
    },
    {
      name: "hypervisor stats show",
      args: () => ["hypervisor", "stats", "show"],
      json: true,
      check: (stats: Row) => {
        expect(stats.count).toBe(2);
        expect(stats.vcpus).toBe(16);
        return undefined;
      },
    },
    {
      name: "compute service list",
      args: () => ["compute", "service", "list"],
      json: true,
      check: (rows: Row[]) => {
        const up = rows.filter((r) => r.State === "up" && r.Status === "enabled");
        expect(up.map((r) => `${r.Binary}@${r.Host}`).sort()).toEqual([
          "nova-compute@compute-1",
          "nova-compute@compute-2",
          "nova-conductor@conductor-1",
          "nova-scheduler@scheduler-1",
        ]);
        return undefined;
      },
    },
  ],
  [
    {
      name: "server create --wait with a key and properties",
      // From 2.37 a server needs its networks said: `--nic none`.
      microversion: "2.37",
      args: () => [
        ...["server", "create", "--flavor", "1", "--image", CLUSTER_IMAGE_ID, "--key-name", "cli-key"],
        ...["--property", "role=web", "--property", "tier=1", "--nic", "none", "--wait", "cli-server"],
      ],
      json: true,
      check: (server: Row) => {
        expect(server).toMatchObject({
          name: "cli-server",
          status: "ACTIVE",
          key_name: "cli-key",
          properties: { role: "web", tier: "1" },
        });
        expect(HOSTS).toContain(server["OS-EXT-SRV-ATTR:host"]);
        return { server: String(server.id) };
      },
    },
    {
      name: "keypair list",
      args: () => ["keypair", "list"],
      json: true,
      check: (rows: Row[]) => {
        expect(column(rows, "Name")).toEqual(["cli-key"]);
        expect(column(rows, "Type")).toEqual(["ssh"]);
        return undefined;
      },
    },
  ],
  [
    {
      name: "server show",
      args: (l) => ["server", "show", l.server!],
      json: true,
      check: (server: Row, l) => {
        expect(server).toMatchObject({ id: l.server, status: "ACTIVE", key_name: "cli-key" });
        return undefined;
      },
    },
    {
      name: "server list --long",
      args: () => ["server", "list", "--long"],
      json: true,
      check: (rows: Row[], l) => {
        expect(rows.find((r) => r.ID === l.server)).toMatchObject({
          Name: "cli-server",
          Status: "ACTIVE",
          "Power State": 1, // -f json gives the raw power state: 1 is RUNNING
        });
        return undefined;
      },
    },
    {
      name: "compute service set --disable",
      microversion: "2.53",
      args: () => [
        ...["compute", "service", "set", "--disable", "--disable-reason", "maintenance"],
        ...["compute-2", "nova-compute"],
      ],
    },
  ],
  [
    {
      name: "server delete --wait",
      args: (l) => ["server", "delete", "--wait", l.server!],
    },
    {
      name: "keypair delete",
      args: () => ["keypair", "delete", "cli-key"],
    },
    {
      name: "compute service list --long (disabled)",
      microversion: "2.53",
      args: () => ["compute", "service", "list", "--long", "--service", "nova-compute"],
      json: true,
      check: (rows: Row[]) => {
        const compute2 = rows.find((r) => r.Host === "compute-2");
        expect(compute2).toMatchObject({ Status: "disabled", "Disabled Reason": "maintenance" });
        return undefined;
      },
    },
  ],
  [
    {
      name: "server list (deleted)",
      args: () => ["server", "list"],
      json: true,
      check: (rows: Row[], l) => {
        expect(column(rows, "ID")).not.toContain(l.server);
        return undefined;
      },
    },
    {
      name: "keypair list (deleted)",
      args: () => ["keypair", "list"],
      json: true,
      check: (rows: Row[]) => {
        expect(rows).toEqual([]);
        return undefined;
      },
    },
    {
      name: "compute service set --enable",
      microversion: "2.53",
      args: () => ["compute", "service", "set", "--enable", "compute-2", "nova-compute"],
    },
  ],
];

/** An environment without the caller's OS_* settings: only the flags below configure the clients. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PYTHONWARNINGS: "ignore" };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OS_")) env[k] = v;
  return env;
}

let cluster: ProcessCluster;

async function openstack(step: CliStep, learned: Learned): Promise<unknown> {
  const args = [
    ...["--os-auth-type", "admin_token", "--os-endpoint", cluster.endpoint, "--os-token", "admin:admin"],
    ...(step.microversion ? ["--os-compute-api-version", step.microversion] : []),
    ...step.args(learned),
    ...(step.json ? ["-f", "json"] : []),
  ];
  const { stdout } = await run("/usr/bin/openstack", args, { env: cleanEnv(), timeout: 120_000 }).catch(
    (err: { stderr?: string; message: string }) => {
      throw new Error(`openstack ${args.slice(6).join(" ")} failed: ${err.stderr || err.message}`);
    },
  );
  return step.json ? JSON.parse(stdout) : stdout;
}

beforeAll(async () => {
  cluster = await ProcessCluster.create({
    root,
    prefix: "osc",
    conf: {
      DEFAULT: { report_interval: 1, service_down_time: 10, rpc_response_timeout: 10 },
      fake: { vcpus: 8, memory_mb: 8192, local_gb: 200 },
    },
  });
  await cluster.createFlavor({ name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 });
  // The conductor and scheduler first: a compute retries its first conductor call until one answers.
  await Promise.all([
    cluster.started(cluster.start("nova-conductor", "conductor", { OS_DEFAULT__HOST: "conductor-1" })),
    cluster.started(cluster.start("nova-scheduler", "scheduler", { OS_DEFAULT__HOST: "scheduler-1" })),
  ]);
  for (const host of HOSTS) cluster.start("nova-compute", host, { OS_DEFAULT__HOST: host });
  cluster.start("nova-api", "api", { OS_DEFAULT__HOST: "api-1" });
  const client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  await cluster.until("both computes up", async () => {
    const up = (await client.listServices({ binary: "nova-compute" })).filter((s) => s.state === "up");
    return HOSTS.every((h) => up.some((s) => s.host === h)) ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
}, 60_000);

// scripts/setup-services.sh installs both clients (Debian's packages), as it does RabbitMQ and MariaDB.
// Both clients at once: the CLI's waves and the SDK's cycle share the cluster and never touch each other's
// servers, so the file's wall time is the longer of the two.
describe.concurrent("OpenStack's own clients against nova-ts as separate services", () => {
  it("runs openstackclient's commands wave by wave", async () => {
    const learned: Learned = {};
    for (const wave of WAVES) {
      const results = await Promise.all(
        wave.map(async (step) => {
          const out = await openstack(step, learned);
          try {
            return step.check?.(out, learned);
          } catch (err) {
            throw new Error(`${step.name}: ${(err as Error).message}\n${JSON.stringify(out).slice(0, 2000)}`);
          }
        }),
      );
      for (const r of results) Object.assign(learned, r);
    }
    expect(learned.server).toMatch(/^[0-9a-f-]{36}$/);
  }, 480_000);

  it("lets openstacksdk discover the endpoint from the unversioned root and cycle a server", async () => {
    const unversioned = cluster.endpoint.replace(/\/v2\.1$/, "/");
    const { stdout } = await run(
      "/usr/bin/python3",
      [
        fileURLToPath(new URL("./openstacksdk-cycle.py", import.meta.url)),
        unversioned,
        CLUSTER_IMAGE_ID,
        "1",
      ],
      { env: cleanEnv(), timeout: 180_000 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`openstacksdk cycle failed: ${err.stderr || err.message}\n${cluster.logs()}`);
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(out.endpoint).toBe(`${cluster.endpoint}/`);
    expect(out.max_microversion).toBe("2.93");
    expect(out.created.status).toBe("ACTIVE");
    expect(out.got).toBe("ACTIVE");
    expect(out.listed).toContain(out.created.id);
    expect(out.after_delete).not.toContain(out.created.id);
  }, 300_000);
});
