import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One response to check against the schema a tempest client uses for a microversion. */
export interface TempestCase {
  /** The client under `tempest.lib.services.compute`, `module.Class` (`hypervisor_client.HypervisorClient`). */
  client: string;
  /**
   * A schema module under `tempest.lib.api_schema.response.compute` the client uses whatever the
   * microversion (`v2_1.flavors_extra_specs`); when set, `client` is only informative.
   */
  module?: string;
  /** The schema attribute the client validates that call with (`list_hypervisors_detail`). */
  schema: string;
  /** The microversion of the request. */
  version: string;
  /** The response status. */
  status: number;
  /** The parsed response body (null for none). */
  body: unknown;
  /** Response headers the schema checks (`location` of a tag added), if any. */
  headers?: Record<string, string>;
}

const SCRIPT = fileURLToPath(new URL("./tempest-validate.py", import.meta.url));
// Debian's interpreter, where python3-tempest installs; a python3 first on PATH (pyenv) may not see it.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
let available: boolean | undefined;

/** Whether Debian's python3-tempest is importable here. */
export function tempestAvailable(): boolean {
  available ??= spawnSync(PYTHON, [SCRIPT], { input: "[]" }).status === 0;
  return available;
}

/** Validates every case in one python run; returns null per valid case, else tempest's error text. */
export function validateWithTempest(cases: readonly TempestCase[]): (string | null)[] {
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(cases), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tempest validation failed to run: ${run.stderr}`);
  return JSON.parse(run.stdout) as (string | null)[];
}

/**
 * The cases tempest rejects, each as `schema@version: why`; empty when all pass, or when tempest is not
 * installed outside CI (python3-tempest is a Debian package scripts/setup-services.sh installs; with
 * NOVA_TEST_REQUIRE_SERVICES set, as in CI, a missing tempest throws).
 */
export function tempestViolations(cases: readonly TempestCase[]): string[] {
  if (!tempestAvailable()) {
    // In CI (scripts/test.sh) a missing tempest is a failure, never a silent pass.
    if (process.env.NOVA_TEST_REQUIRE_SERVICES)
      throw new Error("python3-tempest is not importable by /usr/bin/python3");
    return [];
  }
  return validateWithTempest(cases).flatMap((error, i) =>
    error === null ? [] : [`${cases[i]!.schema}@${cases[i]!.version}: ${error}`],
  );
}
