// Prints a markdown table of each publishable package's public surface (names exported from "." by
// src/index.ts, types and values, counted by the TypeScript compiler) and its packed tarball size.
// Build first (npm run build) for real sizes. Usage: tsx scripts/package-report.ts [repo-root]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { publishablePackages, repoRoot } from "./workspace-packages.js";

const root = resolve(process.argv[2] ?? repoRoot);
const packages = publishablePackages(root);

function compilerOptions(): ts.CompilerOptions {
  const file = join(root, "tsconfig.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, root).options;
}

const entries = packages.map((p) => join(root, p.dir, "src/index.ts"));
const program = ts.createProgram(entries, { ...compilerOptions(), noEmit: true });
const checker = program.getTypeChecker();

function exportCount(entry: string): number {
  const source = program.getSourceFile(entry);
  const symbol = source && checker.getSymbolAtLocation(source);
  return symbol ? checker.getExportsOfModule(symbol).length : 0;
}

interface PackInfo {
  size: number;
  unpackedSize: number;
  entryCount: number;
}

function packInfo(dir: string): PackInfo | undefined {
  if (!existsSync(join(root, dir, "dist"))) return undefined;
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: join(root, dir),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return (JSON.parse(out) as PackInfo[])[0];
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const rows = packages.map((p, i) => {
  const info = packInfo(p.dir);
  const size = info ? `${kB(info.size)} | ${kB(info.unpackedSize)} | ${info.entryCount}` : "not built | | ";
  return `| ${p.name} | ${exportCount(entries[i] ?? "")} | ${size} |`;
});
console.log("| package | exports from `.` | tarball | unpacked | files |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
