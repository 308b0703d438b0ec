import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasErrorCode, NovaError } from "@nova/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "./config-error.js";
import { loadNovaConfig, parseGroup } from "./load-config.js";
import { int } from "./option-types.js";

function confFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nova-conf-"));
  const file = join(dir, "nova.conf");
  writeFileSync(file, text);
  return file;
}

describe("loadNovaConfig", () => {
  it("gives Nova's defaults with no source at all", () => {
    const cfg = loadNovaConfig();
    expect(cfg.DEFAULT.report_interval).toBe(10);
    expect(cfg.DEFAULT.service_down_time).toBe(60);
    expect(cfg.DEFAULT.transport_url).toBe("fake://");
    expect(cfg.DEFAULT.osapi_compute_listen_port).toBe(8774);
    expect(cfg.raw.database).toBeUndefined();
  });

  it("fails a stuck build only after both of its long RPC waits (select_destinations, the build) could have run out", () => {
    const cfg = loadNovaConfig();
    // A safety net for builds the conductor lost, so it must never race the conductor's own timeout path.
    expect(cfg.DEFAULT.instance_build_timeout).toBe(3600);
    expect(cfg.DEFAULT.instance_build_timeout).toBeGreaterThanOrEqual(2 * cfg.DEFAULT.long_rpc_timeout);
  });

  it("types values from files, later files winning, and keeps raw groups for libraries", () => {
    const a = confFile("[DEFAULT]\nreport_interval = 5\ndebug = yes\n[database]\nconnection = sqlite://\n");
    const b = confFile(
      "[DEFAULT]\nreport_interval = 2\n[filter_scheduler]\nenabled_filters = ComputeFilter, RamFilter\n",
    );
    const cfg = loadNovaConfig({ files: [a, b] });
    expect(cfg.DEFAULT.report_interval).toBe(2);
    expect(cfg.DEFAULT.debug).toBe(true);
    expect(cfg.raw.database?.connection).toBe("sqlite://");
    expect(cfg.raw.filter_scheduler?.enabled_filters).toBe("ComputeFilter, RamFilter");
    expect(cfg.files).toEqual([a, b]);
  });

  it("lets OS_<GROUP>__<OPTION> variables override files", () => {
    const a = confFile("[DEFAULT]\nhost = from-file\n[database]\nconnection = sqlite://\n");
    const cfg = loadNovaConfig({
      files: [a],
      env: {
        OS_DEFAULT__HOST: "from-env",
        OS_DATABASE__CONNECTION: "mysql+pymysql://root@127.0.0.1/nova",
        OS_FILTER_SCHEDULER__HOST_SUBSET_SIZE: "3",
        PATH: "/usr/bin",
      },
    });
    expect(cfg.DEFAULT.host).toBe("from-env");
    expect(cfg.raw.database?.connection).toBe("mysql+pymysql://root@127.0.0.1/nova");
    expect(cfg.raw.filter_scheduler?.host_subset_size).toBe("3");
  });

  it("applies code defaults below files", () => {
    const a = confFile("[DEFAULT]\nhost = from-file\n");
    const cfg = loadNovaConfig({ defaults: { DEFAULT: { host: "aio", report_interval: 3 } }, files: [a] });
    expect(cfg.DEFAULT.host).toBe("from-file");
    expect(cfg.DEFAULT.report_interval).toBe(3);
  });

  it.each([
    ["[DEFAULT]\nreport_interval = ten\n", "report_interval", "DEFAULT"],
    ["[api]\nauth_strategy = keystone2\n", "auth_strategy", "api"],
    ["[keystone_authtoken]\nauth_type = v3token\n", "auth_type", "keystone_authtoken"],
    ["[DEFAULT]\ndebug = maybe\n", "debug", "DEFAULT"],
    ["[DEFAULT]\ndebug = y\n", "debug", "DEFAULT"],
    ["[DEFAULT]\nreport_interval = \n", "report_interval", "DEFAULT"],
    ["[DEFAULT]\nosapi_compute_listen_port = 70000\n", "osapi_compute_listen_port", "DEFAULT"],
    ["[fake]\nmemory_mb = 0\n", "memory_mb", "fake"],
  ])("rejects %j naming the option", (text, option, group) => {
    const file = confFile(text);
    let caught: unknown;
    try {
      loadNovaConfig({ files: [file] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(hasErrorCode(caught, "CONFIG_INVALID")).toBe(true);
    expect((caught as ConfigError).option).toBe(option);
    expect((caught as ConfigError).message).toContain(`option ${option} in group [${group}]`);
  });

  it("names a missing file", () => {
    expect(() => loadNovaConfig({ files: ["/nonexistent/nova.conf"] })).toThrow(
      /Cannot read config file \/nonexistent/,
    );
  });

  it("validates a library's own group with its schema, naming the option", () => {
    const cfg = loadNovaConfig({ texts: ["[filter_scheduler]\nhost_subset_size = x\n"] });
    const schema = z.object({ host_subset_size: int(1, { min: 1 }) });
    expect(() => parseGroup(cfg, "filter_scheduler", (raw) => schema.parse(raw))).toThrow(
      /option host_subset_size in group \[filter_scheduler\]/,
    );
    const ok = loadNovaConfig({ texts: ["[filter_scheduler]\nhost_subset_size = 4\n"] });
    expect(parseGroup(ok, "filter_scheduler", (raw) => schema.parse(raw))).toEqual({ host_subset_size: 4 });
  });

  it("names the group an option was given in when a library reads several groups", () => {
    const cfg = loadNovaConfig({
      texts: ["[DEFAULT]\nrpc_response_timeout = soon\n[oslo_messaging_rabbit]\nrabbit_ha_queues = maybe\n"],
    });
    const schema = z.object({
      rpc_response_timeout: z.coerce.number().default(60),
      rabbit_ha_queues: z.string().default("x"),
    });
    let caught: unknown;
    try {
      parseGroup(cfg, ["DEFAULT", "oslo_messaging_rabbit"], (raw) => schema.parse(raw));
    } catch (err) {
      caught = err;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect(NovaError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).code).toBe("CONFIG_INVALID");
    expect((caught as ConfigError).group).toBe("DEFAULT");
    expect((caught as ConfigError).message).toBe(
      'Invalid value for option rpc_response_timeout in group [DEFAULT]: Invalid input: expected number, received NaN (got "soon")',
    );
  });

  it("names the option of a library error that carries one, and the group of one that does not", () => {
    const cfg = loadNovaConfig({ texts: ["[database]\nmax_pool_size = -1\n"] });
    const withOption = Object.assign(new Error("must not be negative"), { option: "max_pool_size" });
    expect(() =>
      parseGroup(cfg, "database", () => {
        throw withOption;
      }),
    ).toThrow('Invalid value for option max_pool_size in group [database]: must not be negative (got "-1")');
    expect(() =>
      parseGroup(cfg, "database", () => {
        throw new Error("no connection");
      }),
    ).toThrow("Invalid options in group [database]: no connection");
  });
});
