import { type ComputeBackend, type CreateServerSpec, QuotaExceededError } from "@nova/api";
import { FAKE_IMAGE_ID, FakeComputeBackend } from "@nova/api/test";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// Nova's server create schemas (nova/api/openstack/compute/schemas/servers.py) rule by rule, each
// microversion boundary from both sides. Bodies failing these rules got 202 (or a 500) before.

const BASE = { name: "web", flavorRef: "1", imageRef: FAKE_IMAGE_ID };
const MEMBER = "alice:a11ce";

let env: Awaited<ReturnType<typeof startApi>> | undefined;
let specs: CreateServerSpec[] = [];
afterEach(async () => {
  await env?.close();
  env = undefined;
  specs = [];
});

/** An API over the fake backend that records every create it is asked for. */
async function start(backend?: ComputeBackend) {
  const fake = new FakeComputeBackend();
  const recording: ComputeBackend = Object.assign(Object.create(fake) as FakeComputeBackend, {
    createServers: (...args: Parameters<FakeComputeBackend["createServers"]>) => {
      specs.push(args[1]);
      return fake.createServers(...args);
    },
  });
  env = await startApi({ backend: backend ?? recording });
  return env;
}

async function create(
  server: Record<string, unknown>,
  options: { version?: string; token?: string; envelope?: Record<string, unknown> } = {},
) {
  const api = env ?? (await start());
  const response = await api.fetch("/v2.1/servers", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Auth-Token": options.token ?? "admin:admin",
      ...(options.version ? { "OpenStack-API-Version": `compute ${options.version}` } : {}),
    },
    body: JSON.stringify({ server, ...options.envelope }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function badRequest(message: string) {
  return { status: 400, body: { badRequest: { code: 400, message } } };
}
/** Nova's message for a property the microversion's schema does not have (reported on `server`). */
function unexpected(key: string) {
  return {
    status: 400,
    body: {
      badRequest: {
        code: 400,
        message: expect.stringMatching(
          new RegExp(
            `^Invalid input for field/attribute server\\. Value: \\{.*\\}\\. Additional properties are not allowed \\('${key}' was unexpected\\)$`,
          ),
        ),
      },
    },
  };
}
const INVALID_NAME = badRequest(
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
);

describe("server create: names", () => {
  it.each([
    ["a zero-width space (Cf)", "a\u200bb"],
    ["a line separator (Zl)", "a\u2028b"],
    ["a character above U+FFFF", "web-\u{1F600}"],
    ["a leading no-break space (Zs)", "\u00a0web"],
    ["a trailing ideographic space (Zs)", "web\u3000"],
    ["a private-use character (Co)", "a\ue000"],
  ])("refuses %s as Nova's schema does", async (_, name) => {
    expect(await create({ ...BASE, name })).toEqual(INVALID_NAME);
  });

  it("accepts printable characters, spaces inside included", async () => {
    expect((await create({ ...BASE, name: "w\u00a0e b-ü漢" })).status).toBe(202);
  });

  it("applies the name rules to key_name, availability_zone and security group names", async () => {
    expect(await create({ ...BASE, key_name: "k\u200b" })).toEqual(INVALID_NAME);
    expect(await create({ ...BASE, availability_zone: " nova" })).toEqual(INVALID_NAME);
    expect(await create({ ...BASE, security_groups: [{ name: "sg\u2029" }] })).toEqual(INVALID_NAME);
  });
});

describe("server create: user_data", () => {
  it.each(["hello!", "abc", "aGVsbG8", "é"])("refuses %j as not base64", async (userData) => {
    const answer = await create({ ...BASE, user_data: userData });
    expect(answer.status).toBe(400);
    expect((answer.body as { badRequest: { message: string } }).badRequest.message).toMatch(
      /^Invalid input for field\/attribute user_data\. Value: .*\. '.*' is not a 'base64'$/,
    );
  });

  it.each(["aGVsbG8=", "aGVs bG8=\n", "", "aGVs=bG8="])(
    "accepts %j as Python's b64decode does",
    async (userData) => {
      expect((await create({ ...BASE, user_data: userData })).status).toBe(202);
      expect(specs[0]?.userData).toBe(userData);
    },
  );
});

describe("server create: description (2.19)", () => {
  it("is unexpected at 2.18 and must be printable from 2.19", async () => {
    expect(await create({ ...BASE, description: "d" }, { version: "2.18" })).toEqual(
      unexpected("description"),
    );
    expect((await create({ ...BASE, description: "d e" }, { version: "2.19" })).status).toBe(202);
    const control = await create({ ...BASE, description: "d\u0001" }, { version: "2.19" });
    expect(control.status).toBe(400);
    expect(JSON.stringify(control.body)).toContain("Invalid input for field/attribute description");
  });
});

describe("server create: networks (2.32, 2.37, 2.42)", () => {
  const tagged = { networks: [{ uuid: "net-a", tag: "t" }] };
  it.each([
    ["2.31", 400],
    ["2.32", 202],
    ["2.36", 202],
  ])("a network tag at %s answers %d", async (version, status) => {
    expect((await create({ ...BASE, ...tagged }, { version })).status).toBe(status);
  });

  it("takes any network uuid string before 2.37 and only uuids from 2.37", async () => {
    expect((await create({ ...BASE, networks: [{ uuid: "net-a" }] }, { version: "2.36" })).status).toBe(202);
    expect(await create({ ...BASE, networks: [{ uuid: "net-a" }] }, { version: "2.37" })).toEqual(
      badRequest(
        "Invalid input for field/attribute networks. Value: [{'uuid': 'net-a'}]. [{'uuid': 'net-a'}] is not valid under any of the given schemas",
      ),
    );
  });

  it("refuses network tags at 2.37 .. 2.41 and takes them again from 2.42", async () => {
    const net = { networks: [{ uuid: "0ba8a9e4-8d3a-4d6c-9f4e-1a2b3c4d5e6f", tag: "t" }] };
    expect((await create({ ...BASE, ...net }, { version: "2.41" })).status).toBe(400);
    expect((await create({ ...BASE, ...net }, { version: "2.42" })).status).toBe(202);
  });

  it("requires networks from 2.37", async () => {
    expect((await create(BASE, { version: "2.36" })).status).toBe(202);
    const missing = await create(BASE, { version: "2.37" });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain("'networks' is a required property");
  });
});

describe("server create: host and hypervisor_hostname (2.74)", () => {
  it("are unexpected at 2.73", async () => {
    expect(await create({ ...BASE, networks: "none", host: "c1" }, { version: "2.73" })).toEqual(
      unexpected("host"),
    );
  });

  it("go to the backend for an admin from 2.74", async () => {
    const answer = await create(
      { ...BASE, networks: "none", host: "c1", hypervisor_hostname: "c1.node_1" },
      { version: "2.74" },
    );
    expect(answer.status).toBe(202);
    expect(specs[0]).toMatchObject({ requestedHost: "c1", requestedNode: "c1.node_1", forcedHost: null });
  });

  it("are refused to a member (403) and checked as Nova's fqdn", async () => {
    expect(
      await create({ ...BASE, networks: "none", host: "c1" }, { version: "2.74", token: MEMBER }),
    ).toEqual({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow compute:servers:create:requested_destination to be performed.",
        },
      },
    });
    expect((await create({ ...BASE, networks: "none", host: "c 1" }, { version: "2.74" })).status).toBe(400);
  });

  it("cannot be combined with zone:host forcing", async () => {
    expect(
      await create(
        { ...BASE, networks: "none", host: "c1", availability_zone: "nova:c2" },
        { version: "2.74" },
      ),
    ).toEqual(
      badRequest(
        "One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.",
      ),
    );
  });
});

describe("server create: hostname (2.90)", () => {
  it("is unexpected at 2.89", async () => {
    expect(await create({ ...BASE, networks: "none", hostname: "h1" }, { version: "2.89" })).toEqual(
      unexpected("hostname"),
    );
  });

  it("sets the guest hostname from 2.90, and not for several servers", async () => {
    expect((await create({ ...BASE, networks: "none", hostname: "db-01" }, { version: "2.90" })).status).toBe(
      202,
    );
    expect(specs[0]?.hostname).toBe("db-01");
    expect((await create({ ...BASE, networks: "none", hostname: "-db" }, { version: "2.90" })).status).toBe(
      400,
    );
    expect(
      await create({ ...BASE, networks: "none", hostname: "db", max_count: 2 }, { version: "2.90" }),
    ).toEqual(badRequest("Unable to allocate a single hostname to multiple instances"));
  });
});

describe("server create: availability zone forcing", () => {
  it("refuses nova:<host> to a member with Nova's 403", async () => {
    expect(await create({ ...BASE, availability_zone: "nova:c1" }, { token: MEMBER })).toEqual({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.",
        },
      },
    });
  });

  it.each([
    ["nova:c1", { availabilityZone: "nova", forcedHost: "c1", forcedNode: null }],
    ["nova:c1:n1", { availabilityZone: "nova", forcedHost: "c1", forcedNode: "n1" }],
    ["nova::n1", { availabilityZone: "nova", forcedHost: null, forcedNode: "n1" }],
    [":c1", { availabilityZone: null, forcedHost: "c1", forcedNode: null }],
  ])("hands an admin's %s to the backend as forced host and node", async (zone, expected) => {
    expect((await create({ ...BASE, availability_zone: zone })).status).toBe(202);
    expect(specs[0]).toMatchObject(expected);
  });

  it("refuses a zone no enabled service is in (400), unless a host is forced", async () => {
    expect(await create({ ...BASE, availability_zone: "elsewhere" })).toEqual(
      badRequest("The requested availability zone is not available"),
    );
    expect((await create({ ...BASE, availability_zone: "nova" })).status).toBe(202);
    expect((await create({ ...BASE, availability_zone: "elsewhere:c1" })).status).toBe(202);
  });

  it("refuses a zone with more than two colons", async () => {
    expect(await create({ ...BASE, availability_zone: "a:b:c:d" })).toEqual(
      badRequest("Invalid input received: Unable to parse availability_zone"),
    );
  });
});

describe("server create: integers", () => {
  it("accepts integers above 2^53 where Nova's schema takes any integer", async () => {
    const quota = new FakeComputeBackend();
    const refusing: ComputeBackend = Object.assign(Object.create(quota) as FakeComputeBackend, {
      createServers: async (_ctx: unknown, spec: CreateServerSpec) => {
        specs.push(spec);
        throw new QuotaExceededError(`Quota exceeded for instances: Requested ${spec.maxCount}`);
      },
    });
    await start(refusing);
    const huge = 2 ** 60;
    expect((await create({ ...BASE, min_count: huge, max_count: huge })).status).toBe(403);
    expect(specs[0]?.maxCount).toBe(huge);
    expect((await create({ ...BASE, flavorRef: huge })).status).toBe(403);
    expect(specs[1]?.flavorId).toBe("1152921504606846976");
  });

  it("still refuses fractions, zero and non-digit strings", async () => {
    expect(await create({ ...BASE, min_count: 1.5 })).toEqual(
      badRequest(
        "Invalid input for field/attribute min_count. Value: 1.5. 1.5 is not of type 'integer', 'string'",
      ),
    );
    expect((await create({ ...BASE, max_count: 0 })).status).toBe(400);
    expect((await create({ ...BASE, max_count: "0" })).status).toBe(400);
    expect((await create({ ...BASE, max_count: "1x" })).status).toBe(400);
  });
});

describe("server create: metadata", () => {
  it("limits keys and values to 255 characters of Nova's key alphabet", async () => {
    expect((await create({ ...BASE, metadata: { ["k".repeat(255)]: "v".repeat(255) } })).status).toBe(202);
    expect((await create({ ...BASE, metadata: { ["k".repeat(256)]: "v" } })).status).toBe(400);
    expect((await create({ ...BASE, metadata: { k: "v".repeat(256) } })).status).toBe(400);
    expect((await create({ ...BASE, metadata: { "k/1": "v" } })).status).toBe(400);
    expect((await create({ ...BASE, metadata: { k: 1 } })).status).toBe(400);
  });

  it("refuses more than 128 items with Nova's quota message", async () => {
    const items = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
    expect((await create({ ...BASE, metadata: items(128) })).status).toBe(202);
    expect(await create({ ...BASE, metadata: items(129) })).toEqual({
      status: 403,
      body: { forbidden: { code: 403, message: "Maximum number of metadata items exceeds 128" } },
    });
  });
});

describe("server create: messages as Nova 26's validator words them", () => {
  // Each message below is what python3-nova 26.2.2's _SchemaValidator(create_v290) raised for the same body.
  const NET = { networks: "none" };
  it.each([
    [
      { max_count: "0" },
      "Invalid input for field/attribute max_count. Value: 0. 0 is less than the minimum of 1",
    ],
    [
      { max_count: 0 },
      "Invalid input for field/attribute max_count. Value: 0. 0 is less than the minimum of 1",
    ],
    [
      { hostname: "-db" },
      "Invalid input for field/attribute hostname. Value: -db. '-db' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$'",
    ],
    [
      { host: "c 1" },
      "Invalid input for field/attribute host. Value: c 1. 'c 1' does not match '^[a-zA-Z0-9-._]*$'",
    ],
    [
      { user_data: "hello!" },
      "Invalid input for field/attribute user_data. Value: hello!. 'hello!' is not a 'base64'",
    ],
  ])("%j", async (fields, message) => {
    expect(await create({ ...BASE, ...NET, ...fields }, { version: "2.90" })).toEqual(badRequest(message));
  });
});
