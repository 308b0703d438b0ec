import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// Nova's own answers (src/__fixtures__/recorder/versions.py), recorded at http://127.0.0.1:8774.
interface Recorded {
  path: string;
  status: number;
  headers: [string, string][];
  body: unknown;
}
const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL("../src/__fixtures__/nova-zed-versions.json", import.meta.url), "utf8"),
);
const RECORDED_ROOT = "http://127.0.0.1:8774";

function novaAnswer(path: string, root: string) {
  const answer = recorded.find((r) => r.path === path);
  if (!answer) throw new Error(`no recording for ${path}`);
  return { ...answer, body: JSON.parse(JSON.stringify(answer.body).replaceAll(RECORDED_ROOT, root)) };
}

const MICROVERSION_HEADERS = ["openstack-api-version", "x-openstack-nova-api-version"];

let env: Awaited<ReturnType<typeof startApi>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe("version discovery without a token", () => {
  // Failed before: /v2.1 and /v2.1/ answered noauth2's tokenless 204, and / left out v2.0.
  it.each([
    ["/", "/"],
    ["/v2.1", "/v2.1"],
    ["/v2.1/", "/v2.1"],
    ["/v2", "/v2"],
    ["/v2/", "/v2"],
  ])("GET %s answers Nova's document", async (path, recordedPath) => {
    env = await startApi();
    const nova = novaAnswer(recordedPath, env.root);
    const response = await fetch(env.root + path);
    expect(response.status).toBe(nova.status);
    expect(await response.json()).toEqual(nova.body);
    const novaHeaders = new Map(nova.headers.map(([k, v]) => [k.toLowerCase(), v]));
    for (const name of MICROVERSION_HEADERS) {
      expect(response.headers.get(name)).toBe(novaHeaders.get(name) ?? null);
    }
  });

  it("negotiates the microversion on /v2.1 as Nova's version app does", async () => {
    env = await startApi();
    const latest = await fetch(`${env.root}/v2.1/`, {
      headers: { "OpenStack-API-Version": "compute latest" },
    });
    expect(latest.headers.get("openstack-api-version")).toBe("compute 2.93");
    const tooNew = await fetch(`${env.root}/v2.1`, { headers: { "OpenStack-API-Version": "compute 2.94" } });
    expect(tooNew.status).toBe(406);
  });

  it("still asks for a token below /v2.1/", async () => {
    env = await startApi();
    expect((await fetch(`${env.endpoint}/flavors`)).status).toBe(204);
  });
});

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
// Debian's python3-openstacksdk, as a user would point it at the API (scripts/setup-services.sh installs it).
describe("openstacksdk", () => {
  it("discovers the endpoint without a token and lists flavors with one", async () => {
    env = await startApi();
    const script = fileURLToPath(new URL("./openstacksdk/discover.py", import.meta.url));
    const { stdout } = await run(PYTHON, [script, env.endpoint], { timeout: 60_000 });
    const found = JSON.parse(stdout) as {
      anonymous: { url: string; min_microversion: string; max_microversion: string };
      flavors: string[];
    };
    expect(found.anonymous).toEqual({
      url: `${env.endpoint}/`,
      min_microversion: "2.1",
      max_microversion: "2.93",
    });
    expect(found.flavors.length).toBeGreaterThan(0);
  }, 60_000);
});
