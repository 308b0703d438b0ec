// One in-flight-worker.ts process, driven over its stdin: run.ts's flight32 and compare.ts start them.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** What a worker runs: in-flight-worker.ts's mode, from this checkout or another, with extra environment. */
export interface FlightWorkerConfig {
  mode: "raw" | "off" | "on";
  /** Another checkout (with its own node_modules) whose worker runs instead of this one's. */
  tree?: string;
  /** Environment for this worker only (BENCH_PARTS, OTEL_TRACES_SAMPLER, BENCH_ALS). */
  env?: Record<string, string>;
}

/** A started worker, warm and waiting. */
export interface FlightWorker {
  /** One round: calls/s at `inFlight` for `seconds`, and the worker's CPU µs per call. */
  run(inFlight: number, seconds: number): Promise<{ rate: number; cpuUs: number }>;
  /** Ends the worker and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts a worker against its own broker URLs and waits until it is warm. */
export async function startFlightWorker(
  config: FlightWorkerConfig,
  amqpUrl: string,
  transportUrl: string,
): Promise<FlightWorker> {
  const script = config.tree
    ? `${config.tree}/bench/messaging/in-flight-worker.ts`
    : fileURLToPath(new URL("./in-flight-worker.ts", import.meta.url));
  // process.execArgv carries tsx's loader flags, so the worker runs the TypeScript sources as we do.
  const child = spawn(process.execPath, [...process.execArgv, script, config.mode, amqpUrl, transportUrl], {
    cwd: config.tree ?? process.cwd(),
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...config.env },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`in-flight worker ${config.mode} exited`);
    return value as string;
  };
  if ((await next()) !== "READY") throw new Error(`in-flight worker ${config.mode} did not start`);
  return {
    async run(inFlight, seconds) {
      child.stdin.write(`${inFlight} ${seconds}\n`);
      return JSON.parse(await next()) as { rate: number; cpuUs: number };
    },
    async close() {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}
