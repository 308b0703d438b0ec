import { describe, expect, it } from "vitest";
import { tsBlocks } from "../readme-blocks.js";
import { publishablePackages } from "../workspace-packages.js";

describe("publishablePackages", () => {
  it("lists every public package with its entry points, and no private one", () => {
    const packages = publishablePackages();
    const names = packages.map((p) => p.name);
    expect(names).toContain("@nova/client");
    expect(names).not.toContain("@nova/testing");
    expect(packages.find((p) => p.name === "@nova/core")?.entryPoints).toEqual([
      "@nova/core",
      "@nova/core/test",
    ]);
  });
});

describe("tsBlocks", () => {
  it("finds ts and typescript blocks with the README line of their first code line, skipping others", () => {
    const readme = [
      "# x",
      "```ts",
      "const a = 1;",
      "```",
      "```sh",
      "npm i",
      "```",
      "```typescript",
      "b();",
      "```",
    ];
    expect(tsBlocks("README.md", readme.join("\n"))).toEqual([
      { readme: "README.md", index: 1, line: 3, code: "const a = 1;" },
      { readme: "README.md", index: 2, line: 9, code: "b();" },
    ]);
  });
});
