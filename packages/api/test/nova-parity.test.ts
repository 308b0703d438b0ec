import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// Requests replayed against the real Nova Zed API (python3-nova 26, noauth2, paste pipeline without a
// database) and recorded in src/__fixtures__; here the same requests go to our server.
interface Recorded {
  request: { path: string; method?: string; headers?: Record<string, string>; body?: string };
  status: number;
  headers: [string, string][];
  body: unknown;
}
const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL("../src/__fixtures__/nova-zed-api-errors.json", import.meta.url), "utf8"),
);

// Where we differ on purpose (see docs/decisions/2026-11-27-compute-api-deviations.md):
// - unrouted paths and methods: Nova answers webob's bare 404 (text/plain or {"message", "code", "title"}),
//   we answer the same status with an itemNotFound fault body, like every other error;
// - os-stop on an unknown server: Nova's recording hit its missing database (500); we answer 404.
const UNROUTED = (r: Recorded) =>
  (typeof r.body === "string" && r.status === 404) ||
  (r.body as Record<string, unknown>)?.title === "Not Found";
const NEEDS_DATABASE = (r: Recorded) => r.status === 500;

describe("parity with Nova Zed on requests that need no database", () => {
  let env: Awaited<ReturnType<typeof startApi>>;
  beforeAll(async () => {
    env = await startApi();
  });
  afterAll(() => env.close());

  const cases = recorded.filter((r) => !NEEDS_DATABASE(r));
  it("has recorded cases to compare", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const rec of cases) {
    const { method = "GET", path, headers = {}, body } = rec.request;
    it(`${method} ${path} ${JSON.stringify(headers)} ${body?.slice(0, 60) ?? ""}`, async () => {
      const response = await fetch(`${env.root}/v2.1${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      expect(response.status).toBe(rec.status);
      const text = await response.text();
      if (UNROUTED(rec)) {
        expect(JSON.parse(text)).toEqual({
          itemNotFound: { code: 404, message: "The resource could not be found." },
        });
        return;
      }
      const ours = text === "" ? "" : JSON.parse(text.replaceAll(env.root, "http://127.0.0.1:8774"));
      expect(ours).toEqual(rec.body);
      for (const [name, value] of rec.headers) {
        if (name === "has-request-id" || name === "Content-Length") continue;
        if (name === "Vary") {
          expect(response.headers.get("vary")?.split(", ")).toContain(value);
        } else if (name === "X-Server-Management-Url") {
          expect(response.headers.get(name)).toBe(value.replace("http://127.0.0.1:8774", env.root));
        } else {
          expect(response.headers.get(name)).toBe(value);
        }
      }
      // Nova's paste pipeline always adds the request id; so do we (both headers).
      expect(response.headers.get("x-openstack-request-id")).toMatch(/^req-[0-9a-f-]{36}$/);
      expect(response.headers.get("x-compute-request-id")).toBe(
        response.headers.get("x-openstack-request-id"),
      );
    });
  }
});
