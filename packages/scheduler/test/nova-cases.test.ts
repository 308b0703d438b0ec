import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { answerCase, firstDifference, type NovaCase } from "../src/replay/nova-case.js";

const dir = fileURLToPath(new URL("./fixtures/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => /^case-\d+\.json$/.test(f))
  .sort();

describe("Nova's own answers (differential cases)", () => {
  it("has the 20 cases", () => {
    expect(files).toHaveLength(20);
  });

  for (const file of files) {
    it(`replays ${file} exactly`, () => {
      const c = JSON.parse(readFileSync(dir + file, "utf8")) as NovaCase;
      const got = answerCase(c);
      expect(firstDifference(c, got)).toBeNull();
      // Spelled out too, so a failure shows the values.
      expect(got.filtered).toEqual(c.expected.filtered);
      if (c.expected.weighed.length > 1) {
        expect(got.weighed.map((w) => [w.host, w.weight])).toEqual(
          c.expected.weighed.map((w) => [w.host, Number(w.weight_repr)]),
        );
      }
      expect(got.selection).toEqual(c.expected.selection);
    });
  }

  it("notices a wrong answer", () => {
    const c = JSON.parse(readFileSync(dir + files[0]!, "utf8")) as NovaCase;
    const got = answerCase(c);
    const w = got.weighed[0]!;
    got.weighed[0] = { ...w, weight: w.weight + Number.EPSILON * 4 };
    expect(firstDifference(c, got)).toMatch(/^weight of/);
  });
});

describe("nova-scheduler-replay", () => {
  const cli = fileURLToPath(new URL("../src/cli/replay.ts", import.meta.url));
  const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

  it("prints PASS per case and the totals", () => {
    const r = spawnSync(tsx, [cli, ...files.slice(0, 3).map((f) => dir + f)], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.slice(0, 3).every((l) => l.startsWith("PASS case-"))).toBe(true);
    expect(lines[3]).toBe("3 passed, 0 failed");
  });

  it("prints FAIL with the first difference and exits non-zero", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const c = JSON.parse(readFileSync(dir + files[0]!, "utf8")) as NovaCase;
    c.expected.selection = { host: "cmp-99999", nodename: "cmp-99999.example.org", alternates: [] };
    const tmp = `${mkdtempSync(`${tmpdir()}/replay-`)}/case-bad.json`;
    writeFileSync(tmp, JSON.stringify(c));
    const r = spawnSync(tsx, [cli, tmp, dir + files[1]!], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/^FAIL case-bad \(seed \d+\): selection cmp-\d+, Nova cmp-99999$/m);
    expect(r.stdout).toMatch(/^1 passed, 1 failed$/m);
  });
});
