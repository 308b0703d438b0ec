import ts from "typescript";
import { describe, expect, it } from "vitest";
import { undocumentedDeclarations } from "../tsdoc-coverage.js";

// A program over in-memory files, so the fixture states exactly what is and is not documented.
function programOf(files: Record<string, string>): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noLib: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  host.fileExists = (name) => name in files;
  host.readFile = (name) => files[name];
  host.directoryExists = (name) => Object.keys(files).some((file) => file.startsWith(`${name}/`));
  host.getSourceFile = (name, version) =>
    name in files ? ts.createSourceFile(name, files[name] ?? "", version) : undefined;
  return ts.createProgram(Object.keys(files), options, host);
}

const documented = {
  "/pkg/base.ts": [
    "export class Base {",
    "  /** The host this service runs on. */",
    "  host = '';",
    "  /** @param topic the RPC topic it listens on */",
    "  constructor(topic: string) {}",
    "}",
  ].join("\n"),
  "/pkg/index.ts": [
    "import { Base } from './base';",
    "/** A Nova service. */",
    "export class Service extends Base {",
    "  /** Starts consuming its topic. */",
    "  start(): void {}",
    "  private stopped = false;",
    "}",
    "/** What a driver reports. */",
    "export interface Report {",
    "  /** Free RAM in MiB. */",
    "  free_ram_mb: number;",
    "}",
    "/** A schema: its object-literal properties are not members. */",
    "export const reportSchema = { free_ram_mb: 1 };",
    "/** The type the schema describes. */",
    "export type ReportSchema = typeof reportSchema;",
  ].join("\n"),
};

describe("undocumentedDeclarations", () => {
  it("accepts a fully documented entry point, skipping private members and schema properties", () => {
    expect(undocumentedDeclarations(programOf(documented), ["/pkg/index.ts"])).toEqual([]);
  });

  it("names each export and public member without a doc, inherited ones included, with its line", () => {
    const files = {
      "/pkg/base.ts": documented["/pkg/base.ts"].replace("  /** The host this service runs on. */\n", ""),
      "/pkg/index.ts": [
        "export { Base as Renamed } from './base';",
        "import { Base } from './base';",
        "export class Service extends Base {",
        "  start(): void {}",
        "  static create(): Service { return new Service(); }",
        "}",
        "/** What a driver reports. */",
        "export interface Report {",
        "  free_ram_mb: number;",
        "}",
        "export const reportSchema = { free_ram_mb: 1 };",
        "/** The type the schema describes. */",
        "export type reportSchema = number;",
        "export function boot(): void {}",
      ].join("\n"),
    };
    expect(undocumentedDeclarations(programOf(files), ["/pkg/index.ts"])).toEqual([
      { file: "/pkg/base.ts", line: 1, name: "Renamed" },
      { file: "/pkg/base.ts", line: 2, name: "Renamed.host" },
      { file: "/pkg/base.ts", line: 2, name: "Service.host" },
      { file: "/pkg/index.ts", line: 3, name: "Service" },
      { file: "/pkg/index.ts", line: 4, name: "Service.start" },
      { file: "/pkg/index.ts", line: 5, name: "Service.create" },
      { file: "/pkg/index.ts", line: 9, name: "Report.free_ram_mb" },
      { file: "/pkg/index.ts", line: 11, name: "reportSchema" },
      { file: "/pkg/index.ts", line: 14, name: "boot" },
    ]);
  });

  it("requires a doc on a constructor that takes parameters", () => {
    const files = {
      "/pkg/index.ts": "/** A host. */\nexport class Host {\n  constructor(name: string) {}\n}",
    };
    expect(undocumentedDeclarations(programOf(files), ["/pkg/index.ts"])).toEqual([
      { file: "/pkg/index.ts", line: 3, name: "Host.constructor" },
    ]);
  });
});
