#!/usr/bin/env node
// Installed from the registry this runs dist/. In the repo (src/ present, maybe nothing built yet) it runs the
// TypeScript source through tsx with the workspace's paths, so `npx nova` works right after `npm install`.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/nova.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: new URL("../../../tsconfig.json", import.meta.url).pathname });
  await import(source.href);
} else {
  await import(new URL("../dist/cli/nova.js", import.meta.url).href);
}
