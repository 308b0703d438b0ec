import { readFileSync } from "node:fs";
import { FAKE_IMAGE_ID } from "@nova/api/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// Server views recorded from the real Nova Zed API (bench/api-detail/nova_api_server.py: an ACTIVE server in
// SQLite, neutron stubbed out so no security groups); ours must carry the same fields at each microversion.
interface Recorded {
  request: { path: string; token: string; version: string };
  status: number;
  body: { server?: Record<string, unknown>; servers?: Record<string, unknown>[] };
}
const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL("../src/__fixtures__/nova-zed-server-views.json", import.meta.url), "utf8"),
);
const PROJECT_TOKEN = "bench:6f70726f6a656374";

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, shape(v)]),
    );
  }
  return "value";
}

describe("server views match Nova Zed's fields", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  let id: string;
  beforeAll(async () => {
    env = await startApi();
    id = (
      await env
        .client(PROJECT_TOKEN)
        .createServer({ name: "bench-0", flavorRef: "1", imageRef: FAKE_IMAGE_ID })
    ).id;
    env.fake.settle();
    env.fake.setServer(id, { securityGroups: [], addresses: {} });
  });
  afterAll(() => env.close());

  it("has recorded views", () => {
    expect(recorded.length).toBeGreaterThanOrEqual(14);
  });

  for (const rec of recorded) {
    const who = rec.request.token.split(":")[0];
    it(`${rec.request.path} as ${who} at ${rec.request.version}`, async () => {
      const path = rec.request.path.replace("{id}", id);
      const response = await env.client(rec.request.token, rec.request.version).request("GET", path);
      const body = response.body as Recorded["body"];
      const ours = body.server ?? body.servers?.[0];
      const theirs = rec.body.server ?? rec.body.servers?.[0];
      expect(Object.keys(theirs ?? {}).length).toBeGreaterThan(20);
      expect(shape(ours)).toEqual(shape(theirs));
    });
  }
});
