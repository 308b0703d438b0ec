// Fails when a publishable package's public API lacks TSDoc: every export of each entry point (src/index.ts for
// ".", src/test/index.ts for "./test", src/<name>.ts for "./<name>") and every public member of its exported
// classes and interfaces. Prints `file:line name` per missing doc. Usage: tsx scripts/check-tsdoc.ts
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { undocumentedDeclarations } from "./tsdoc-coverage.js";
import { publishablePackages, repoRoot } from "./workspace-packages.js";

function entryFile(dir: string, specifier: string, name: string): string {
  const subpath = specifier.slice(name.length + 1);
  return join(
    repoRoot,
    dir,
    "src",
    subpath === "" ? "index.ts" : subpath === "test" ? "test/index.ts" : `${subpath}.ts`,
  );
}

const entries = publishablePackages()
  .flatMap((p) => p.entryPoints.map((specifier) => entryFile(p.dir, specifier, p.name)))
  .filter((file) => existsSync(file));
const { config } = ts.readConfigFile(join(repoRoot, "tsconfig.json"), ts.sys.readFile);
const options = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot).options;
const program = ts.createProgram(entries, { ...options, noEmit: true });
const missing = undocumentedDeclarations(program, entries);
for (const { file, line, name } of missing) console.log(`${relative(repoRoot, file)}:${line} ${name}`);
if (missing.length > 0) {
  console.error(`${missing.length} public declarations without TSDoc`);
  process.exit(1);
}
console.log(`TSDoc: every public declaration of ${entries.length} entry points is documented`);
