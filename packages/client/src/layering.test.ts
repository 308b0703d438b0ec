import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The layering of docs/architecture.md: @nova/client stands on @nova/core alone (zero-dependency, so any Node
// app may use the SDK); @nova/api sits on @nova/client and the spec layer, @nova/objects (Nova's state lists
// are kept there once). Checked on the import statements of every source file.
function imports(dir: string): { file: string; specifier: string }[] {
  const out: { file: string; specifier: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "__fixtures__") out.push(...imports(path));
    } else if (entry.name.endsWith(".ts")) {
      for (const match of readFileSync(path, "utf8").matchAll(/from\s+"([^"]+)"/g)) {
        out.push({ file: path, specifier: match[1]! });
      }
    }
  }
  return out;
}

const packages = fileURLToPath(new URL("../../", import.meta.url));

describe("package layering", () => {
  it("@nova/client imports no other @nova package than @nova/core", () => {
    const found = imports(join(packages, "client/src"))
      .filter((i) => i.specifier.startsWith("@nova/"))
      .map((i) => i.specifier);
    expect([...new Set(found)].sort()).toEqual(["@nova/core", "@nova/core/test"]);
  });

  it("@nova/api's sources import only @nova/core, @nova/client and @nova/objects (and its own test fakes)", () => {
    const found = imports(join(packages, "api/src"))
      .filter((i) => i.specifier.startsWith("@nova/"))
      .map((i) => i.specifier);
    expect(found.length).toBeGreaterThan(5);
    expect([...new Set(found)].sort()).toEqual(["@nova/client", "@nova/core", "@nova/objects"]);
  });
});
