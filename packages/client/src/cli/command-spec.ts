import type { Clock } from "@nova/core";
import type { ComputeClient } from "../compute-client.js";
import type { CloudConnection } from "../config/cloud-config.js";
import type { Output, TextSink } from "./output.js";
import type { WaitProgress } from "./wait-progress.js";

/** An option of a command, as node:util parseArgs takes it, with its help. */
export interface OptionSpec {
  /** A string option takes a value; a boolean one is a flag. */
  type: "string" | "boolean";
  /** A one-letter alias (`-f`). */
  short?: string;
  /** Repeatable (`--property a=1 --property b=2`). */
  multiple?: boolean;
  /** The value's placeholder in the help (`FLAVOR`). */
  value?: string;
  /** One line of help. */
  help: string;
}

/** A positional argument of a command. */
export interface ArgSpec {
  /** Its name in the help (`server`). */
  name: string;
  /** Takes every remaining word (`server delete a b c`). */
  variadic?: boolean;
  /** May be left out. */
  optional?: boolean;
}

/** What a command runs with: its arguments and options, a lazily connected client, and where to print. */
export interface CommandContext {
  /** Positional arguments, in order. */
  args: string[];
  /** Option values by long name. */
  options: Record<string, string | boolean | string[] | undefined>;
  /** The client, connected on first use (so usage errors are found before anything is sent). */
  client(): Promise<ComputeClient>;
  /** Where and as whom the client connects (for defaults such as the project of `quota show`). */
  connection(): CloudConnection;
  /** Results, on stdout. */
  out: Output;
  /** A `--wait` display for `label`, on stderr. */
  progress(label: string): WaitProgress;
  /** How long `--wait` waits, in milliseconds. */
  waitTimeoutMs: number;
  /** Raw stdout, for what is neither a table nor JSON (a generated private key). */
  stdout: TextSink;
  /** Progress and notes meant for people, not for scripts. */
  stderr: TextSink;
  /** The clock waits follow. */
  clock: Clock;
}

/** One `nova <resource> <action>` command. */
export interface CommandSpec {
  /** `server`, `flavor`, ... */
  resource: string;
  /** `list`, `show`, ... */
  action: string;
  /** One line saying what it does. */
  summary: string;
  /** Positional arguments. */
  args?: readonly ArgSpec[];
  /** Its own options (besides the global ones). */
  options?: Readonly<Record<string, OptionSpec>>;
  /** Runs the command; throws to fail (the error decides the exit code). */
  run(ctx: CommandContext): Promise<void>;
}
