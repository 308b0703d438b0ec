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
  /** Waits, after the command, for what it started to finish (a suspend has no `--wait`). */
  settle?: (learned: Learned) => Promise<unknown>;
}

type Row = Record<string, unknown>;
const column = (rows: Row[], name: string) => rows.map((r) => r[name]);

/**
 * The command list, in waves: the steps of a wave run in parallel (each `openstack` call spends about a
 * second starting Python), a wave starts when the one before it finished. Steps of one wave never change what
 * another step of the same wave checks.
 *
 * Not covered, because openstackclient cannot run them against Nova alone: `quota show [<project>]` and
 * `quota set <project>` look the project up in Keystone (`GET /projects`), and `quota show` also asks Neutron
 * for network quotas; `quota show --class` looks its class name up in Keystone as a project. The nearest that
 * works is `quota set --class` (Nova only), whose effect `limits show --absolute` then shows for the noauth
 * project of the token (`admin:admin`: project `admin`).
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
    {
      // --long reads every flavor's extra specs (once a 404 on main).
      name: "flavor list --long",
      args: () => ["flavor", "list", "--long"],
      json: true,
      check: (rows: Row[]) => {
        expect(rows.find((r) => r.ID === "1")).toMatchObject({
          Name: "m1.tiny",
          RAM: 512,
          "Is Public": true,
          Properties: {},
        });
        return undefined;
      },
    },
    {
      name: "flavor create --property --private",
      args: () => [
        ...["flavor", "create", "--id", "cli-f", "--ram", "256", "--vcpus", "1", "--disk", "1"],
        ...["--property", "hw:cpu_policy=shared", "--private", "cli-flavor"],
      ],
      json: true,
      check: (flavor: Row) => {
        expect(flavor).toMatchObject({
          id: "cli-f",
          name: "cli-flavor",
          ram: 256,
          "os-flavor-access:is_public": false,
          properties: { "hw:cpu_policy": "shared" },
        });
        return undefined;
      },
    },
    {
      name: "server group create --policy anti-affinity",
      microversion: "2.64",
      args: () => ["server", "group", "create", "--policy", "anti-affinity", "cli-group"],
      json: true,
      check: (group: Row) => {
        expect(group).toMatchObject({ name: "cli-group", policy: "anti-affinity", members: [] });
        return { group: String(group.id) };
      },
    },
    {
      name: "aggregate create --zone az1",
      args: () => ["aggregate", "create", "--zone", "az1", "cli-agg"],
      json: true,
      check: (aggregate: Row) => {
        expect(aggregate).toMatchObject({ name: "cli-agg", availability_zone: "az1" });
        return undefined;
      },
    },
    {
      // `quota set --instances <project>` needs Keystone (see above): the default class instead.
      name: "quota set --class --instances",
      args: () => ["quota", "set", "--class", "--instances", "20", "default"],
    },
  ],
  [
    {
      name: "server create --wait with a key, properties and a group hint",
      // From 2.37 a server needs its networks said: `--nic none`.
      microversion: "2.37",
      args: (l) => [
        ...["server", "create", "--flavor", "1", "--image", CLUSTER_IMAGE_ID, "--key-name", "cli-key"],
        ...["--property", "role=web", "--property", "tier=1", "--hint", `group=${l.group}`],
        ...["--nic", "none", "--wait", "cli-server"],
      ],
      json: true,
      check: (server: Row) => {
        expect(server).toMatchObject({
          name: "cli-server",
          status: "ACTIVE",
          key_name: "cli-key",
          properties: { role: "web", tier: "1" },
        });
        const host = String(server["OS-EXT-SRV-ATTR:host"]);
        expect(HOSTS).toContain(host);
        return { server: String(server.id), host, otherHost: HOSTS.find((h) => h !== host)! };
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
    {
      name: "flavor set --property --description",
      microversion: "2.55",
      args: () => [
        ...["flavor", "set", "--property", "hw:cpu_policy=dedicated", "--property", "hw:mem_page_size=large"],
        ...["--description", "pinned", "cli-f"],
      ],
    },
    {
      name: "server group list",
      microversion: "2.64",
      args: () => ["server", "group", "list"],
      json: true,
      check: (rows: Row[], l) => {
        expect(rows).toEqual([{ ID: l.group, Name: "cli-group", Policy: "anti-affinity" }]);
        return undefined;
      },
    },
    {
      name: "limits show --absolute (the quota class set)",
      args: () => ["limits", "show", "--absolute"],
      json: true,
      check: (rows: Row[]) => {
        // openstackclient asks the volume endpoint too (here the same API): each row may come twice.
        const instances = rows.filter((r) => r.Name === "maxTotalInstances");
        expect(instances.length).toBeGreaterThan(0);
        expect(column(instances, "Value")).toEqual(instances.map(() => 20));
        expect(rows.find((r) => r.Name === "maxTotalCores")).toMatchObject({ Value: 20 });
        return undefined;
      },
    },
    {
      // Without --compute the command also asks Cinder and Neutron for their zones.
      name: "availability zone list --compute",
      args: () => ["availability", "zone", "list", "--compute"],
      json: true,
      check: (rows: Row[]) => {
        // az1 has no host yet: Nova lists only zones with services.
        expect(rows).toEqual([
          { "Zone Name": "internal", "Zone Status": "available" },
          { "Zone Name": "nova", "Zone Status": "available" },
        ]);
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
        expect(server).toMatchObject({ "OS-EXT-AZ:availability_zone": "nova", flavor: "m1.tiny (1)" });
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
      name: "flavor show (set)",
      microversion: "2.55",
      args: () => ["flavor", "show", "cli-f"],
      json: true,
      check: (flavor: Row) => {
        expect(flavor).toMatchObject({
          description: "pinned",
          "os-flavor-access:is_public": false,
          properties: { "hw:cpu_policy": "dedicated", "hw:mem_page_size": "large" },
        });
        return undefined;
      },
    },
    {
      name: "server group show",
      microversion: "2.64",
      args: (l) => ["server", "group", "show", l.group!],
      json: true,
      check: (group: Row, l) => {
        expect(group).toMatchObject({ id: l.group, policy: "anti-affinity", members: [l.server] });
        return undefined;
      },
    },
    {
      // The host without the server: Nova refuses to move a host with servers into another zone.
      name: "aggregate add host",
      args: (l) => ["aggregate", "add", "host", "cli-agg", l.otherHost!],
      json: true,
      check: (aggregate: Row, l) => {
        expect(aggregate).toMatchObject({ name: "cli-agg", hosts: [l.otherHost] });
        return undefined;
      },
    },
    {
      name: "usage list",
      args: () => ["usage", "list"],
      json: true,
      check: (rows: Row[], l) => {
        const admin = rows.find((r) => r.Project === "admin");
        expect(((admin?.Servers ?? []) as Row[]).map((s) => s.instance_id)).toContain(l.server);
        return undefined;
      },
    },
    {
      name: "server lock --reason",
      microversion: "2.73",
      args: (l) => ["server", "lock", "--reason", "cli maintenance", l.server!],
    },
  ],
  [
    {
      name: "server show (locked)",
      microversion: "2.73",
      args: (l) => ["server", "show", l.server!],
      json: true,
      check: (server: Row) => {
        expect(server).toMatchObject({ locked: true, locked_reason: "cli maintenance" });
        return undefined;
      },
    },
    {
      name: "server suspend",
      args: (l) => ["server", "suspend", l.server!],
      settle: (l) => serverStatus(l.server!, "SUSPENDED"),
    },
    {
      name: "hypervisor show (its aggregate)",
      args: (l) => ["hypervisor", "show", l.otherHost!],
      json: true,
      check: (hypervisor: Row, l) => {
        expect(hypervisor).toMatchObject({ hypervisor_hostname: l.otherHost, aggregates: ["cli-agg"] });
        return undefined;
      },
    },
    {
      name: "availability zone list --compute --long",
      args: () => ["availability", "zone", "list", "--compute", "--long"],
      json: true,
      check: (rows: Row[], l) => {
        const zoneOf = (host: string) =>
          rows.find((r) => r["Host Name"] === host && r["Service Name"] === "nova-compute")?.["Zone Name"];
        expect(zoneOf(l.otherHost!)).toBe("az1");
        expect(zoneOf(l.host!)).toBe("nova");
        return undefined;
      },
    },
    {
      name: "flavor unset --property",
      args: () => ["flavor", "unset", "--property", "hw:mem_page_size", "cli-f"],
    },
    {
      name: "server group delete",
      args: (l) => ["server", "group", "delete", l.group!],
    },
  ],
  [
    {
      // After the zone listing above: Nova lists a disabled host's zone as "not available", without the host.
      name: "compute service set --disable",
      microversion: "2.53",
      args: () => [
        ...["compute", "service", "set", "--disable", "--disable-reason", "maintenance"],
        ...["compute-2", "nova-compute"],
      ],
    },
    {
      name: "server unlock",
      args: (l) => ["server", "unlock", l.server!],
    },
    {
      name: "server resume",
      args: (l) => ["server", "resume", l.server!],
      settle: (l) => serverStatus(l.server!, "ACTIVE"),
    },
    {
      name: "aggregate set --zone",
      args: () => ["aggregate", "set", "--zone", "az2", "cli-agg"],
    },
    {
      name: "flavor show (unset)",
      args: () => ["flavor", "show", "cli-f"],
      json: true,
      check: (flavor: Row) => {
        expect(flavor.properties).toEqual({ "hw:cpu_policy": "dedicated" });
        return undefined;
      },
    },
    {
      name: "server group list (deleted)",
      args: () => ["server", "group", "list"],
      json: true,
      check: (rows: Row[]) => {
        expect(rows).toEqual([]);
        return undefined;
      },
    },
  ],
  [
    {
      name: "server set --name --property --description",
      microversion: "2.19",
      args: (l) => [
        ...["server", "set", "--name", "cli-renamed", "--property", "owner=ops"],
        ...["--description", "renamed by the CLI", l.server!],
      ],
    },
    {
      name: "server unset --property",
      args: (l) => ["server", "unset", "--property", "tier", l.server!],
    },
    {
      name: "aggregate show",
      args: () => ["aggregate", "show", "cli-agg"],
      json: true,
      check: (aggregate: Row, l) => {
        expect(aggregate).toMatchObject({
          name: "cli-agg",
          availability_zone: "az2",
          hosts: [l.otherHost],
          // openstackclient drops the zone from the metadata it shows as properties.
          properties: {},
        });
        return undefined;
      },
    },
  ],
  [
    {
      name: "server show (set, unset, unlocked, resumed)",
      microversion: "2.73",
      args: (l) => ["server", "show", l.server!],
      json: true,
      check: (server: Row) => {
        expect(server).toMatchObject({
          name: "cli-renamed",
          description: "renamed by the CLI",
          status: "ACTIVE",
          locked: false,
          properties: { role: "web", owner: "ops" },
        });
        expect(server.properties).not.toHaveProperty("tier");
        return undefined;
      },
    },
    {
      name: "server event list",
      args: (l) => ["server", "event", "list", l.server!],
      json: true,
      check: (rows: Row[], l) => {
        expect(column(rows, "Server ID").every((id) => id === l.server)).toBe(true);
        expect(column(rows, "Action").sort()).toEqual(["create", "lock", "resume", "suspend", "unlock"]);
        return undefined;
      },
    },
    {
      name: "aggregate remove host",
      args: (l) => ["aggregate", "remove", "host", "cli-agg", l.otherHost!],
      json: true,
      check: (aggregate: Row) => {
        expect(aggregate.hosts).toEqual([]);
        return undefined;
      },
    },
    {
      name: "flavor delete",
      args: () => ["flavor", "delete", "cli-f"],
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
    {
      name: "aggregate delete",
      args: () => ["aggregate", "delete", "cli-agg"],
    },
    {
      name: "flavor list --all (deleted)",
      args: () => ["flavor", "list", "--all"],
      json: true,
      check: (rows: Row[]) => {
        expect(column(rows, "ID")).toContain("1");
        expect(column(rows, "ID")).not.toContain("cli-f");
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
    {
      name: "aggregate list (deleted)",
      args: () => ["aggregate", "list"],
      json: true,
      check: (rows: Row[]) => {
        expect(rows).toEqual([]);
        return undefined;
      },
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
let client: ComputeClient;

/** Resolves once the server shows `status`. */
function serverStatus(id: string, status: string): Promise<unknown> {
  return cluster.until(`server ${id} ${status}`, async () =>
    (await client.getServer(id)).status === status ? true : undefined,
  );
}

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
  client = new ComputeClient({ endpoint: cluster.endpoint, token: "admin:admin" });
  // Every service's row up before the first wave lists them: the scheduler registers in the background
  // (it serves select_destinations before its row exists), so "started" alone does not promise the row.
  await cluster.until("every service up", async () => {
    const up = (await client.listServices()).filter((s) => s.state === "up").map((s) => s.host);
    return [...HOSTS, "conductor-1", "scheduler-1"].every((h) => up.includes(h)) ? true : undefined;
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
          await step.settle?.(learned);
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
