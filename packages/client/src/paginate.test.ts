import { describe, expect, it } from "vitest";
import { paginate } from "./paginate.js";

describe("paginate", () => {
  it("sends each next link's query again and stops on a page without one", async () => {
    const queries: Record<string, unknown>[] = [];
    const pages = [
      { items: [1, 2], links: [{ rel: "next", href: "http://elsewhere/v2.1/servers?limit=2&marker=b" }] },
      { items: [3], links: [] },
    ];
    const seen: number[] = [];
    for await (const item of paginate({ limit: 2, status: ["ACTIVE"] }, async (query) => {
      queries.push(query);
      return pages.shift()!;
    })) {
      seen.push(item);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(queries).toEqual([
      { limit: 2, status: ["ACTIVE"] },
      { limit: "2", status: ["ACTIVE"], marker: "b" },
    ]);
  });

  it("stops when a server repeats the same marker instead of looping forever", async () => {
    let calls = 0;
    const items: string[] = [];
    const page = { items: ["x"], links: [{ rel: "next", href: "/servers?marker=m" }] };
    for await (const item of paginate({}, async () => {
      calls++;
      return page;
    })) {
      items.push(item);
    }
    expect(calls).toBe(2);
    expect(items).toEqual(["x", "x"]);
  });
});
