// The SDK's resource tests (test/compute-sdk.test.ts) against Nova's own Python nova-api: Debian's python3-nova
// with noauth2, started and seeded by bench/api's harness (its own MariaDB databases and RabbitMQ vhost).
//
//   npx tsx packages/client/scripts/against-python-nova.ts           # start, run the tests, stop
//   npx tsx packages/client/scripts/against-python-nova.ts --serve   # start and keep it up (Ctrl-C stops)
//
// With --serve, run the tests yourself as many times as needed:
//   NOVA_CLIENT_ENDPOINT=<printed endpoint> npx vitest run --project client test/compute-sdk.test.ts
// Only nova-api runs (no conductor, scheduler or compute): a boot stays in BUILD, and the tests say where
// they expect Python Nova to answer otherwise. Differences found are listed in packages/client/README.md.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pythonNovaMissing, startPythonNova } from "../../../bench/api/python-nova.js";
import { makeSeedPlan } from "../../../bench/api/seed-plan.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const serve = process.argv.includes("--serve");
const log = (msg: string) => process.stderr.write(`${msg}\n`);

const missing = pythonNovaMissing();
if (missing) {
  log(missing);
  process.exit(2);
}
// Three ACTIVE servers on two hosts: enough for pages of two, and hosts for hypervisors and aggregates.
const plan = makeSeedPlan(3, 2, "5d3b6b4e-3c1a-4a4e-9f6e-2c1f0b0a1c01");
log("seeding Python nova-api (nova-manage's schema syncs take a few minutes)...");
const nova = await startPythonNova(plan, 1, log);
log(`Python nova-api: ${nova.endpoint}`);
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await nova.close();
  process.exit(code);
};
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));

if (serve) {
  log(`NOVA_CLIENT_ENDPOINT=${nova.endpoint} npx vitest run --project client test/compute-sdk.test.ts`);
  // Up until a signal, even if nova-api exits by itself: the databases and vhost are dropped on the way out.
  setInterval(() => {}, 1 << 30);
} else {
  const vitest = spawn(
    "npx",
    [
      "vitest",
      "run",
      "--project",
      "client",
      "--testTimeout",
      "180000",
      "packages/client/test/compute-sdk.test.ts",
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, NOVA_CLIENT_ENDPOINT: nova.endpoint } },
  );
  vitest.once("exit", (code) => void stop(code ?? 1));
}
