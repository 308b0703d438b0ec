// Type-checks every ```ts block of every package README against the built packages (dist/*.d.ts, what users
// get), each block as its own ES module, and reports failures by README, block and line.
// Build first (npm run build). Usage: tsx scripts/check-readmes.ts
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { type ReadmeBlock as Block, tsBlocks } from "./readme-blocks.js";
import { repoRoot } from "./workspace-packages.js";

function readmes(): string[] {
  return ["packages", "apps", "examples"].flatMap((dir) =>
    readdirSync(join(repoRoot, dir))
      .map((name) => `${dir}/${name}/README.md`)
      .filter((path) => existsSync(join(repoRoot, path))),
  );
}

function main() {
  const blocks = readmes().flatMap((readme) =>
    tsBlocks(readme, readFileSync(join(repoRoot, readme), "utf8")),
  );
  // Outside the repo so no tsconfig paths apply: @nova/* resolve through node_modules to dist/ like a user's.
  const work = mkdtempSync(join(tmpdir(), "nova-readmes-"));
  try {
    symlinkSync(join(repoRoot, "node_modules"), join(work, "node_modules"), "dir");
    writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(work, "blocks"));
    const fileOf = new Map<string, Block>();
    for (const block of blocks) {
      const file = join(work, "blocks", `${block.readme.replaceAll("/", "_")}-${block.index}.ts`);
      // `export {}` keeps each block a module of its own (top-level await, no clashing names across blocks).
      writeFileSync(file, `${block.code}\nexport {};\n`);
      fileOf.set(file, block);
    }
    const program = ts.createProgram([...fileOf.keys()], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const failed = new Set<Block>();
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const block = diagnostic.file && fileOf.get(diagnostic.file.fileName);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (!block || !diagnostic.file) {
        console.error(`error TS${diagnostic.code}: ${message}`);
        continue;
      }
      failed.add(block);
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      console.error(
        `${block.readme}:${block.line + line} (block ${block.index}) TS${diagnostic.code}: ${message}`,
      );
    }
    const byReadme = new Set([...failed].map((b) => b.readme));
    console.log(
      `check-readmes: ${blocks.length - failed.size} of ${blocks.length} blocks compile;` +
        ` ${byReadme.size} README(s) failing${byReadme.size ? `: ${[...byReadme].join(", ")}` : ""}`,
    );
    process.exitCode = failed.size > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
