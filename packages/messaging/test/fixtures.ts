import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** One firehose copy of a message in a captured scenario. */
export interface CapturedMessage {
  trace_kind: "publish" | "deliver";
  exchange: string;
  routing_keys: string[];
  routed_queues?: string[];
  queue?: string;
  properties: Record<string, unknown>;
  body_raw: string;
  body: Record<string, unknown>;
  oslo_message_decoded: Record<string, unknown>;
  failure_decoded?: Record<string, unknown>;
}

/** A captured oslo.messaging 14 scenario (see fixtures/README.md). */
export interface Scenario {
  scenario: string;
  client_invocation: {
    mode: string;
    topic: string;
    method: string;
    kwargs: Record<string, unknown>;
    context: Record<string, unknown>;
    options: Record<string, string>;
  };
  client_result: Array<Record<string, unknown>>;
  messages: CapturedMessage[];
}

/** Loads a scenario fixture by name (`call`, `cast`, ...). */
export function loadScenario(name: string): Scenario {
  return JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as Scenario;
}

/** Every scenario fixture (the files not starting with `_`). */
export function allScenarios(): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith("_"))
    .map((f) => loadScenario(f.replace(/\.json$/, "")));
}

/** Loads a broker-state fixture (`_broker_default_config`, `_broker_option_variants`). */
export function loadBrokerFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as T;
}
