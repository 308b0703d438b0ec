import { describe, expect, it } from "vitest";
import { uuidHex } from "./ids.js";

describe("uuidHex", () => {
  it("writes uuid4 hex as Python does, distinct across pool refills", () => {
    const ids = Array.from({ length: 600 }, () => uuidHex());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
