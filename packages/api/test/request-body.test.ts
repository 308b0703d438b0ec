import { afterEach, describe, expect, it } from "vitest";
import { startApi } from "./start-api.js";

// Bodies Nova cannot read get its 400 "Malformed request body"; before, a body nested 50,000 deep answered 500
// (the validation message's repr overflowed the stack) and invalid UTF-8 was read with replacement characters.

let env: Awaited<ReturnType<typeof startApi>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe("request bodies that are not JSON Nova can read", () => {
  async function post(body: string | Buffer) {
    env ??= await startApi();
    const api = env;
    const response = await api.fetch("/v2.1/servers", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as { badRequest: { code: number; message: string } },
    };
  }

  it("answers 400 to JSON nested 50,000 deep", async () => {
    const deep = `{"server": {"name": "a", "flavorRef": "1", "metadata": ${"[".repeat(50_000)}${"]".repeat(50_000)}}}`;
    const answer = await post(deep);
    expect(answer.status).toBe(400);
    expect(answer.body.badRequest.code).toBe(400);
  });

  it("answers 400 to a body that is not UTF-8", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"server": {"name": "'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    expect(await post(bytes)).toEqual({
      status: 400,
      body: { badRequest: { code: 400, message: "Malformed request body" } },
    });
  });
});
