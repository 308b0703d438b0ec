import { describe, expect, it } from "vitest";
import {
  globalValues,
  integerOption,
  keyValues,
  parseCommandOptions,
  splitCommandLine,
} from "./command-line.js";
import { UsageError } from "./usage-error.js";

const create = {
  resource: "server",
  action: "create",
  args: [{ name: "name" }],
  options: {
    flavor: { type: "string" as const, help: "" },
    wait: { type: "boolean" as const, help: "" },
    property: { type: "string" as const, multiple: true, help: "" },
  },
};
const del = { resource: "server", action: "delete", args: [{ name: "server", variadic: true }] };

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (UsageError.isInstance(error)) return error as UsageError;
    throw error;
  }
  throw new Error("no usage error");
}

describe("command line parsing", () => {
  it("finds the command words around global options and their values", () => {
    expect(
      splitCommandLine(["--os-cloud", "dev", "-f", "json", "server", "create", "web", "--wait"]),
    ).toEqual({
      words: ["server", "create"],
      rest: ["--os-cloud", "dev", "-f", "json", "web", "--wait"],
    });
    expect(splitCommandLine(["--json", "flavor", "list"]).words).toEqual(["flavor", "list"]);
    expect(splitCommandLine(["server"])).toEqual({ words: ["server"], rest: [] });
  });

  it("parses the command's and the global options, anywhere after the words", () => {
    const { rest } = splitCommandLine([
      "server",
      "create",
      "web",
      "--flavor=m1.tiny",
      "--property",
      "a=1",
      "--property",
      "b=2",
      "--wait",
      "--json",
    ]);
    const { positionals, values } = parseCommandOptions(rest, create);
    expect(positionals).toEqual(["web"]);
    expect(values).toMatchObject({ flavor: "m1.tiny", property: ["a=1", "b=2"], wait: true, json: true });
    expect(keyValues(values.property as string[], "property", "")).toEqual({ a: "1", b: "2" });
    expect(globalValues(values)).toMatchObject({ format: "json", waitTimeoutMs: 600_000, help: false });
  });

  it("refuses unknown options, missing and extra arguments as usage errors naming the command", () => {
    expect(usage(() => parseCommandOptions(["web", "--flavour", "x"], create)).message).toMatch(/--flavour/);
    expect(usage(() => parseCommandOptions(["web", "--flavor"], create)).message).toMatch(/--flavor/);
    const missing = usage(() => parseCommandOptions(["--wait"], create));
    expect(missing.message).toBe("missing argument: <name>");
    expect(missing.helpFor).toBe("server create");
    expect(usage(() => parseCommandOptions(["a", "b"], create)).message).toBe("unexpected argument: b");
    expect(usage(() => parseCommandOptions([], del)).message).toBe("missing argument: <server>");
    expect(parseCommandOptions(["a", "b", "c"], del).positionals).toEqual(["a", "b", "c"]);
    // --help wins over a missing argument.
    expect(parseCommandOptions(["--help"], create).values.help).toBe(true);
  });

  it("checks the output format, the wait timeout, KEY=VALUE and whole numbers", () => {
    expect(globalValues({ format: "json" }).format).toBe("json");
    expect(globalValues({}).format).toBe("table");
    expect(usage(() => globalValues({ format: "yaml" })).message).toMatch(/unknown output format yaml/);
    expect(globalValues({ "wait-timeout": "2.5" }).waitTimeoutMs).toBe(2500);
    expect(usage(() => globalValues({ "wait-timeout": "soon" })).message).toMatch(/--wait-timeout/);
    expect(usage(() => keyValues(["novalue"], "property", "server create")).message).toMatch(/KEY=VALUE/);
    expect(integerOption("512", "ram", "")).toBe(512);
    expect(integerOption(undefined, "ram", "")).toBeUndefined();
    expect(usage(() => integerOption("1.5", "ram", "flavor create")).message).toMatch(/--ram/);
    expect(usage(() => integerOption("-1", "ram", "flavor create")).code).toBe("USAGE_ERROR");
  });
});
