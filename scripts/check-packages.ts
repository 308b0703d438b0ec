// Checks every publishable package as a user receives it: build (turbo), `npm pack`, publint, attw, then install
// all tarballs into a scratch project and import (ESM) and require (CommonJS) each entry point there.
// Usage: tsx scripts/check-packages.ts [--no-build] [--keep]
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type PublishablePackage, publishablePackages, repoRoot } from "./workspace-packages.js";

const run = promisify(execFile);
const args = new Set(process.argv.slice(2));
const failures: string[] = [];

async function sh(cmd: string, argv: string[], cwd = repoRoot) {
  return run(cmd, argv, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: "0" } });
}

/** Runs a check, recording its output as a failure instead of stopping at the first one. */
async function check(what: string, cmd: string, argv: string[], cwd?: string) {
  try {
    await sh(cmd, argv, cwd);
  } catch (e) {
    const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
    failures.push(`${what}\n${stdout}${stderr}`.trim());
  }
}

interface Packed {
  pkg: PublishablePackage;
  tarball: string;
}

async function pack(pkg: PublishablePackage, into: string): Promise<Packed> {
  const { stdout } = await sh("npm", ["pack", "--json", "--pack-destination", into], join(repoRoot, pkg.dir));
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack wrote nothing for ${pkg.name}`);
  if (!info.files.some((f) => f.path === "LICENSE")) failures.push(`${pkg.name}: the tarball has no LICENSE`);
  return { pkg, tarball: join(into, info.filename) };
}

/** Published manifests must not name private workspaces: a user's install would fail on them. */
async function checkManifest({ pkg, tarball }: Packed, privateNames: Set<string>) {
  const { stdout } = await sh("tar", ["-xzOf", tarball, "package/package.json"]);
  const manifest = JSON.parse(stdout) as Record<string, Record<string, string> | undefined>;
  for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      if (privateNames.has(dep)) failures.push(`${pkg.name}: ${field} names the private package ${dep}`);
    }
  }
}

function smokeScript(kind: "esm" | "cjs", entryPoints: string[]): string {
  const load = kind === "esm" ? "await import(name)" : "require(name)";
  const body = `for (const name of ${JSON.stringify(entryPoints)}) {
  const m = ${load};
  if (Object.keys(m).length === 0) throw new Error(name + " exports nothing");
  console.log("${kind} ok " + name + " (" + Object.keys(m).length + " exports)");
}`;
  return kind === "esm"
    ? body
    : `(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });`;
}

async function main() {
  const started = Date.now();
  const packages = publishablePackages();
  if (!args.has("--no-build")) {
    console.log("building every package (turbo)…");
    await sh("npx", ["turbo", "run", "build", "--output-logs=errors-only"]);
  }
  const work = mkdtempSync(join(tmpdir(), "nova-check-packages-"));
  try {
    const tarballs = join(work, "tarballs");
    mkdirSync(tarballs);
    const packed: Packed[] = [];
    for (const pkg of packages) packed.push(await pack(pkg, tarballs));
    console.log(`packed ${packed.length} packages (${Math.round((Date.now() - started) / 1000)} s)`);

    const privateNames = new Set(["@nova/testing"]);
    for (const p of packed) {
      await checkManifest(p, privateNames);
      await check(`${p.pkg.name}: publint`, "npx", [
        "publint",
        "run",
        p.tarball,
        "--level",
        "warning",
        "--strict",
      ]);
      // Node 20.19+ require()s our ESM-only packages, so CommonJS resolution is checked (types found, exports
      // resolve) but its "resolves to ESM" finding is expected: that is what require(esm) loads.
      await check(`${p.pkg.name}: attw`, "npx", [
        "attw",
        p.tarball,
        "--profile",
        "node16",
        "--ignore-rules",
        "cjs-resolves-to-esm",
        "--format",
        "ascii",
      ]);
    }
    console.log(`publint and attw done (${Math.round((Date.now() - started) / 1000)} s)`);

    // A user's project: only the tarballs for @nova/*; external dependencies come from the registry. Install
    // scripts are skipped (better-sqlite3 would compile): the smoke test loads modules, it opens no database.
    const scratch = join(work, "scratch");
    mkdirSync(scratch);
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "nova-smoke", private: true }));
    await sh(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--prefer-offline",
        ...packed.map((p) => p.tarball),
      ],
      scratch,
    );
    const entryPoints = packages.flatMap((p) => p.entryPoints);
    writeFileSync(join(scratch, "smoke.mjs"), smokeScript("esm", entryPoints));
    writeFileSync(join(scratch, "smoke.cjs"), smokeScript("cjs", entryPoints));
    await check("import() of every entry point from ESM", "node", ["smoke.mjs"], scratch);
    await check("require() of every entry point from CommonJS", "node", ["smoke.cjs"], scratch);
    console.log(
      `${entryPoints.length} entry points of ${packages.length} packages loaded from ESM and CommonJS` +
        ` (${Math.round((Date.now() - started) / 1000)} s)`,
    );
  } finally {
    if (args.has("--keep")) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  for (const f of failures) console.error(`\nFAIL ${f}`);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`check-packages: ${failures.length} problem(s) in ${packages.length} packages, ${seconds} s`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
