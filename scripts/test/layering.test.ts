import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseOptions, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { layers, testOnly } = createRequire(import.meta.url)("../layers.cjs") as {
  layers: [string, string[]][];
  testOnly: string[];
};

let options: ICruiseOptions;
beforeAll(async () => {
  options = await extractDepcruiseOptions(join(root, ".dependency-cruiser.cjs"));
});

async function violations(baseDir: string, cruiseOptions: ICruiseOptions, tsconfig?: string) {
  const result = await cruise(
    ["packages", "apps", "examples"].filter((d) => existsSync(join(baseDir, d))),
    { ...cruiseOptions, baseDir },
    {},
    tsconfig ? { tsConfig: extractTSConfig(tsconfig) } : {},
  );
  return (result.output as ICruiseResult).summary.violations.map(
    (v) => `${v.rule.name}: ${v.from} -> ${v.to}`,
  );
}

describe("the layers of docs/architecture.md", () => {
  it("place every workspace in exactly one layer", () => {
    const placed = [...layers.flatMap(([, dirs]) => dirs), ...testOnly];
    for (const dir of ["packages", "apps", "examples"]) {
      for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const folder = `${dir}/${entry.name}`;
        const matches = placed.filter((p) => new RegExp(`^${p}$`).test(folder));
        expect(matches, `${folder}: add it to one layer in scripts/layers.cjs`).toHaveLength(1);
      }
    }
  });

  it("hold in the repository", { timeout: 300_000 }, async () => {
    expect(await violations(root, options, join(root, "tsconfig.json"))).toEqual([]);
  });

  describe("on a fixture that breaks each rule", () => {
    let fixture: string;
    const files: Record<string, string> = {
      "packages/core/src/index.ts": `export { main } from "../../../apps/nova/src/main.ts";`,
      "packages/messaging/src/index.ts": `export { Flavor } from "../../objects/src/index.ts";`,
      "packages/objects/src/index.ts": `export { core } from "../../core/src/index.ts";\nexport const Flavor = 1;`,
      "packages/scheduler/src/index.ts": `export { db } from "../../db/src/index.ts";`,
      "packages/db/src/index.ts": `export { vhost } from "../../testing/src/index.ts";\nexport const db = 1;`,
      "packages/db/src/db.test.ts": `export { vhost } from "../../testing/src/index.ts";`,
      "packages/testing/src/index.ts": "export const vhost = 1;",
      "packages/virt/src/index.ts": `export { a } from "../../virt-libvirt/src/index.ts";\nexport const b = 1;`,
      "packages/virt-libvirt/src/index.ts": `export { b } from "../../virt/src/index.ts";\nexport const a = 1;`,
      "apps/nova/src/main.ts": "export const main = 1;",
    };
    beforeAll(() => {
      fixture = mkdtempSync(join(tmpdir(), "nova-layering-"));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(fixture, path)), { recursive: true });
        writeFileSync(join(fixture, path), `${text}\n`);
      }
    });
    afterAll(() => rmSync(fixture, { recursive: true, force: true }));

    // A cycle is reported once, at the edge that closes it.
    it("reports every violation and nothing else", { timeout: 120_000 }, async () => {
      const { tsConfig: _unused, ...withoutTsConfig } = options;
      const found = await violations(fixture, withoutTsConfig);
      expect(found.sort()).toEqual(
        [
          "core-imports-no-higher-layer: packages/core/src/index.ts -> apps/nova/src/main.ts",
          "messaging-depends-on-core-only: packages/messaging/src/index.ts -> packages/objects/src/index.ts",
          "transport-imports-no-higher-layer: packages/messaging/src/index.ts -> packages/objects/src/index.ts",
          "scheduler-is-pure: packages/scheduler/src/index.ts -> packages/db/src/index.ts",
          "no-testing-helpers-in-published-code: packages/db/src/index.ts -> packages/testing/src/index.ts",
          "no-package-cycles: packages/virt-libvirt/src/index.ts -> packages/virt/src/index.ts",
          "no-module-cycles: packages/virt-libvirt/src/index.ts -> packages/virt/src/index.ts",
        ].sort(),
      );
    });
  });
});
