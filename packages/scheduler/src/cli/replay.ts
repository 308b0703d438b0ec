#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Command } from "commander";
import { answerCase, firstDifference, type NovaCase } from "../replay/nova-case.js";

const program = new Command()
  .name("nova-scheduler-replay")
  .description("Replay Nova scheduler differential cases and compare with Nova's answers")
  .argument("<cases...>", "case JSON files")
  .action((files: string[]) => {
    let passed = 0;
    let failed = 0;
    for (const file of files) {
      let name = basename(file, ".json");
      try {
        const c = JSON.parse(readFileSync(file, "utf8")) as NovaCase;
        name = `${name} (seed ${c.seed})`;
        const diff = firstDifference(c, answerCase(c));
        if (diff === null) {
          passed++;
          console.log(`PASS ${name}`);
        } else {
          failed++;
          console.log(`FAIL ${name}: ${diff}`);
        }
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? 1 : 0;
  });

program.parse();
