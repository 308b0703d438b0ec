#!/usr/bin/env node
// The `nova` command's entry: the process's arguments, environment and streams (the only place it reads them).
import { runNova } from "./run-nova.js";

process.exitCode = await runNova(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
