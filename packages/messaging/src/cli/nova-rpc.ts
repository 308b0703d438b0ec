#!/usr/bin/env node
import { hostname } from "node:os";
import type { Logger } from "@nova/core";
import { Command, InvalidArgumentError, Option } from "commander";
import { MessagingError } from "../errors/messaging-error.js";
import { RemoteError } from "../errors/remote-error.js";
import { NotificationListener } from "../notify/notification-listener.js";
import { RpcClient } from "../rpc/rpc-client.js";
import { RpcServer } from "../rpc/rpc-server.js";
import { Transport } from "../transport.js";
import { pythonJsonDumps } from "../wire/python-json.js";
import { createTestEndpoint } from "./test-endpoint.js";

function jsonObject(what: string) {
  return (text: string): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidArgumentError(`${what} is not valid JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidArgumentError(`${what} must be a JSON object`);
    }
    return value as Record<string, unknown>;
  };
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number of seconds");
  return n;
}

/** Logs as JSON lines on stderr, so stdout carries only results. */
const stderrLogger = (verbose: boolean): Logger => {
  const write = (level: string) => (obj: object, msg?: string) => {
    if (level === "debug" && !verbose) return;
    process.stderr.write(`${JSON.stringify({ level, msg, ...obj })}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
};

function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof RemoteError) {
    return {
      error: {
        code: err.code,
        type: err.excType,
        module: err.failure.module,
        message: err.value,
        kwargs: err.failure.kwargs,
        traceback: err.failure.traceback,
      },
    };
  }
  if (MessagingError.isInstance(err)) {
    return { error: { code: err.code, type: err.name, message: err.message, retryable: err.isRetryable } };
  }
  return {
    error: { code: "ERROR", type: "Error", message: err instanceof Error ? err.message : String(err) },
  };
}

interface SendOptions {
  url: string;
  exchange?: string;
  topic: string;
  server?: string;
  method: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  version?: string;
  namespace?: string;
  timeout?: number;
  verbose?: boolean;
}

async function send(mode: "call" | "cast" | "fanout", o: SendOptions): Promise<number> {
  const transport = new Transport(o.url, { logger: stderrLogger(o.verbose ?? false) });
  try {
    const rpc = new RpcClient(transport, {
      topic: o.topic,
      ...(o.exchange === undefined ? {} : { exchange: o.exchange }),
      ...(o.server === undefined ? {} : { server: o.server }),
      ...(o.version === undefined ? {} : { version: o.version }),
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      ...(mode === "fanout" ? { fanout: true } : {}),
    }).prepare(o.timeout === undefined ? {} : { timeout: o.timeout });
    if (mode === "call") {
      const result = await rpc.call(o.context, o.method, o.args);
      process.stdout.write(`${pythonJsonDumps(result)}\n`);
    } else {
      await rpc.cast(o.context, o.method, o.args);
      process.stdout.write(`${pythonJsonDumps({ sent: mode, confirmed: true })}\n`);
    }
    return 0;
  } catch (err) {
    process.stdout.write(`${pythonJsonDumps(errorJson(err))}\n`);
    return 1;
  } finally {
    await transport.close();
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

/** Builds the `nova-rpc` command line (exported for tests; the bin runs it on process.argv). */
export function buildProgram(): Command {
  const program = new Command("nova-rpc")
    .description("Talk oslo.messaging RPC to a live cloud (or a test bus) from the shell")
    .showHelpAfterError();

  for (const mode of ["call", "cast", "fanout"] as const) {
    program
      .command(mode)
      .description(
        mode === "call"
          ? "call a method and print its reply (or the remote error) as JSON"
          : mode === "cast"
            ? "cast a method (no reply); resolves once the broker confirmed it"
            : "cast a method to every server of the topic",
      )
      .requiredOption("--url <url>", "transport URL, e.g. rabbit://user:pass@host:5672/vhost")
      .option("--exchange <exchange>", "exchange (default: control_exchange, openstack)")
      .requiredOption("--topic <topic>", "topic")
      .option("--server <server>", "a specific server of the topic")
      .requiredOption("--method <method>", "method name")
      .addOption(
        new Option("--args <json>", "keyword arguments as a JSON object")
          .argParser(jsonObject("--args"))
          .default({}),
      )
      .addOption(
        new Option("--context <json>", "request context as a JSON object")
          .argParser(jsonObject("--context"))
          .default({}),
      )
      .option("--version <x.y>", "RPC API version to request")
      .option("--namespace <namespace>", "endpoint namespace")
      .addOption(
        new Option("--timeout <seconds>", "call timeout (default rpc_response_timeout, 60)").argParser(
          seconds,
        ),
      )
      .option("--verbose", "log debug lines on stderr")
      .action(async (opts: SendOptions) => {
        process.exitCode = await send(mode, opts);
      });
  }

  program
    .command("serve")
    .description("serve the built-in test endpoint (version 1.5: echo, add, fail, sleep) until SIGTERM")
    .requiredOption("--url <url>", "transport URL")
    .option("--exchange <exchange>", "exchange (default: control_exchange)")
    .requiredOption("--topic <topic>", "topic")
    .option("--server <server>", "server name", hostname())
    .option("--verbose", "log debug lines on stderr")
    .action(
      async (opts: { url: string; exchange?: string; topic: string; server: string; verbose?: boolean }) => {
        const logger = stderrLogger(opts.verbose ?? false);
        const transport = new Transport(opts.url, { logger });
        const target = {
          topic: opts.topic,
          server: opts.server,
          ...(opts.exchange ? { exchange: opts.exchange } : {}),
        };
        const server = new RpcServer(transport, target, [createTestEndpoint()]);
        const stopped = untilSignal();
        await server.start();
        logger.info({ topic: opts.topic, server: opts.server }, "serving");
        const signal = await stopped;
        logger.info({ signal }, "stopping: draining requests in flight");
        await server.stop();
        await transport.close();
      },
    );

  program
    .command("notifications")
    .description("print notifications as they arrive, one JSON object per line")
    .requiredOption("--url <url>", "transport URL")
    .option("--exchange <exchange>", "exchange (default: control_exchange)")
    .option("--topic <topic>", "notification topic", "notifications")
    .option("--verbose", "log debug lines on stderr")
    .action(async (opts: { url: string; exchange?: string; topic: string; verbose?: boolean }) => {
      const logger = stderrLogger(opts.verbose ?? false);
      const transport = new Transport(opts.url, { logger });
      const listener = new NotificationListener(
        transport,
        (n) => {
          process.stdout.write(
            `${pythonJsonDumps({
              priority: n.priority,
              event_type: n.eventType,
              publisher_id: n.publisherId,
              message_id: n.messageId,
              timestamp: n.timestamp,
              payload: n.payload,
              context: n.ctx,
            })}\n`,
          );
        },
        { topics: [opts.topic], ...(opts.exchange ? { exchange: opts.exchange } : {}) },
      );
      const stopped = untilSignal();
      await listener.start();
      logger.info({ topic: opts.topic }, "listening");
      await stopped;
      await listener.stop();
      await transport.close();
    });
  return program;
}

const isMain = process.argv[1] !== undefined && /nova-rpc(\.[cm]?[jt]s)?$/.test(process.argv[1]);
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`${pythonJsonDumps(errorJson(err))}\n`);
      process.exitCode = 2;
    });
}
