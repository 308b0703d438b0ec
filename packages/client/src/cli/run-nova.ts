import { type Clock, systemClock } from "@nova/core";
import { ComputeApiError, ServerWaitError } from "../compute-api-error.js";
import type { ComputeClient } from "../compute-client.js";
import { type CloudConnection, fromEnvironment } from "../config/cloud-config.js";
import { createComputeClient } from "../create-compute-client.js";
import { CloudConfigError } from "../errors/cloud-config-error.js";
import { ComputeNetworkError } from "../errors/compute-network-error.js";
import { ComputeTimeoutError } from "../errors/compute-timeout-error.js";
import { GLOBAL_OPTIONS, globalValues, parseCommandOptions, splitCommandLine } from "./command-line.js";
import type { CommandSpec, OptionSpec } from "./command-spec.js";
import { adminCommands } from "./commands/admin-commands.js";
import { flavorCommands, keypairCommands } from "./commands/flavor-commands.js";
import { serverCommands } from "./commands/server-commands.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { LookupError } from "./lookup-error.js";
import { Output, type TextSink } from "./output.js";
import { UsageError } from "./usage-error.js";
import { WaitProgress } from "./wait-progress.js";

/** What the `nova` command runs against: the process's, or a test's. */
export interface NovaCliIo {
  /** The environment (`OS_*`, `OS_CLOUD`, `HOME` for clouds.yaml). */
  env: Record<string, string | undefined>;
  /** Results. */
  stdout: TextSink;
  /** Errors, progress, notes. */
  stderr: TextSink;
  /** The clock `--wait` follows (default the system clock). */
  clock?: Clock;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  ...serverCommands,
  ...flavorCommands,
  ...keypairCommands,
  ...adminCommands,
];

/** Runs `nova <argv>` and returns its exit code (see {@link ExitCode}); it never throws. */
export async function runNova(argv: readonly string[], io: NovaCliIo): Promise<ExitCodeValue> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io.stderr);
  }
}

async function dispatch(argv: readonly string[], io: NovaCliIo): Promise<ExitCodeValue> {
  const { words, rest } = splitCommandLine(argv);
  if (words[0] === "help") {
    io.stdout.write(helpText(words.slice(1).concat(rest.filter((w) => !w.startsWith("-")))));
    return ExitCode.OK;
  }
  const [resource, action] = words;
  const spec = COMMANDS.find((c) => c.resource === resource && c.action === action);
  if (!spec) {
    // `nova --help`, `nova server --help`: help, not an error.
    const { values } = parseCommandOptions(rest, undefined);
    if (values.help) {
      io.stdout.write(helpText(words));
      return ExitCode.OK;
    }
    if (!resource) throw new UsageError("no command given");
    if (!COMMANDS.some((c) => c.resource === resource)) throw new UsageError(`unknown command: ${resource}`);
    throw new UsageError(
      action ? `unknown command: ${resource} ${action}` : `${resource} needs an action`,
      resource,
    );
  }
  const { positionals, values } = parseCommandOptions(rest, spec);
  const global = globalValues(values);
  if (global.help) {
    io.stdout.write(helpText(words));
    return ExitCode.OK;
  }
  const clock = io.clock ?? systemClock;
  let connection: CloudConnection | undefined;
  const connectionOf = (): CloudConnection => {
    connection ??= fromEnvironment({ env: io.env, cloud: global.cloud });
    return connection;
  };
  let client: Promise<ComputeClient> | undefined;
  await spec.run({
    args: positionals,
    options: values,
    connection: connectionOf,
    client: () => {
      const given = connectionOf();
      const microversion = global.microversion ?? given.microversion;
      client ??= createComputeClient({ ...given, microversion });
      return client;
    },
    out: new Output(global.format, io.stdout),
    progress: (label) => new WaitProgress(io.stderr, label, clock),
    waitTimeoutMs: global.waitTimeoutMs,
    stdout: io.stdout,
    stderr: io.stderr,
    clock,
  });
  return ExitCode.OK;
}

/** The error on stderr, and the exit code it means. */
function report(error: unknown, stderr: TextSink): ExitCodeValue {
  if (UsageError.isInstance(error)) {
    const usage = error as UsageError;
    stderr.write(`nova: error: ${usage.message}\n`);
    stderr.write(`Try 'nova help${usage.helpFor ? ` ${usage.helpFor}` : ""}'.\n`);
    return ExitCode.USAGE;
  }
  if (CloudConfigError.isInstance(error)) {
    stderr.write(`nova: configuration error: ${(error as Error).message}\n`);
    return ExitCode.USAGE;
  }
  if (ServerWaitError.isInstance(error)) {
    const wait = error as ServerWaitError;
    const fault = wait.fault ? `: ${wait.fault.message}` : "";
    stderr.write(`ERROR (${wait.code}): ${wait.message}${fault}\n`);
    return ExitCode.WAIT_FAILED;
  }
  if (ComputeApiError.isInstance(error)) {
    // novaclient's shape: the fault message, the status, the request id to grep the logs for.
    const api = error as ComputeApiError;
    const requestId = api.requestId ? ` (Request-ID: ${api.requestId})` : "";
    stderr.write(`ERROR (${api.code}): ${api.message} (HTTP ${api.status})${requestId}\n`);
    return ExitCode.API_ERROR;
  }
  if (
    ComputeNetworkError.isInstance(error) ||
    ComputeTimeoutError.isInstance(error) ||
    LookupError.isInstance(error)
  ) {
    const e = error as Error & { code: string };
    stderr.write(`ERROR (${e.code}): ${e.message}\n`);
    return ExitCode.API_ERROR;
  }
  stderr.write(`ERROR: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.API_ERROR;
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return `  ${flag.padEnd(34)} ${o.help}${o.multiple ? " (repeatable)" : ""}`;
  });
}

function usageOf(spec: CommandSpec): string {
  const args = (spec.args ?? []).map((a) => {
    const name = `<${a.name}>${a.variadic ? "..." : ""}`;
    return a.optional ? `[${name}]` : name;
  });
  return ["nova", spec.resource, spec.action, "[options]", ...args].join(" ");
}

/** The help of a command, of a resource's commands, or of everything. */
export function helpText(words: readonly string[]): string {
  const [resource, action] = words;
  const spec = COMMANDS.find((c) => c.resource === resource && c.action === action);
  if (spec) {
    return [
      `Usage: ${usageOf(spec)}`,
      "",
      `${spec.summary[0]?.toUpperCase()}${spec.summary.slice(1)}.`,
      ...(spec.options ? ["", "Options:", ...optionLines(spec.options)] : []),
      "",
      "Global options:",
      ...optionLines(GLOBAL_OPTIONS),
      "",
    ].join("\n");
  }
  const listed = COMMANDS.filter((c) => !resource || c.resource === resource);
  const shown = listed.length ? listed : COMMANDS;
  return [
    "Usage: nova [global options] <resource> <action> [options] [arguments]",
    "",
    "The OpenStack Compute API from the command line, configured as the openstack command is: OS_CLOUD or",
    "--os-cloud NAME (clouds.yaml), else the OS_* variables (OS_AUTH_URL, OS_USERNAME, ..., or OS_ENDPOINT",
    "and OS_TOKEN without Keystone).",
    "",
    "Commands:",
    ...shown.map((c) => `  ${`${c.resource} ${c.action}`.padEnd(34)} ${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "Exit codes: 0 done; 1 the API answered an error or could not be reached; 2 usage or configuration",
    "error (nothing sent); 3 --wait timed out or the server went to ERROR.",
    "Run 'nova help <resource> <action>' for a command's options.",
    "",
  ].join("\n");
}
