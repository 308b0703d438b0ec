import { describe, expect, it } from "vitest";
import { InvalidTransportUrl } from "./errors/invalid-transport-url.js";
import { parseTransportUrl } from "./transport-url.js";

function partOf(url: string): string {
  try {
    parseTransportUrl(url);
  } catch (err) {
    if (err instanceof InvalidTransportUrl) return err.part;
    throw err;
  }
  throw new Error(`${url} parsed`);
}

describe("parseTransportUrl", () => {
  it("parses several hosts, credentials, vhost and query like oslo", () => {
    expect(parseTransportUrl("rabbit://user:p%40ss@h1:5673,h2:5674/vh%2Fx?ssl=1&a=b&a=c")).toEqual({
      transport: "rabbit",
      hosts: [
        { hostname: "h1", port: 5673, username: "user", password: "p@ss" },
        { hostname: "h2", port: 5674, username: "user", password: "p@ss" },
      ],
      virtualHost: "vh/x",
      query: { ssl: "1", a: "b,c" },
    });
  });

  it("keeps per-host credentials and IPv6 addresses", () => {
    const url = parseTransportUrl("rabbit://a:1@[::1]:5672,b:2@10.0.0.2/");
    expect(url.hosts).toEqual([
      { hostname: "::1", port: 5672, username: "a", password: "1" },
      { hostname: "10.0.0.2", port: undefined, username: "b", password: "2" },
    ]);
    expect(url.virtualHost).toBe("");
  });

  it("accepts fake:// with no host at all", () => {
    expect(parseTransportUrl("fake://")).toEqual({
      transport: "fake",
      hosts: [],
      virtualHost: undefined,
      query: {},
    });
  });

  it("names the part that is wrong", () => {
    expect(partOf("")).toBe("url");
    expect(partOf("localhost:5672")).toBe("scheme");
    expect(partOf("rabbit://u:p@h:notaport/")).toBe("port");
    expect(partOf("rabbit://u:p@h:70000/")).toBe("port");
    expect(partOf("rabbit://u:p@:5672/")).toBe("host");
    expect(partOf("rabbit://u:p@[::1/")).toBe("host");
    expect(partOf("rabbit://u:%zz@h/")).toBe("password");
    expect(partOf("rabbit://h/%E0%A4%A")).toBe("virtual_host");
  });

  it("throws an error with a stable code and the URL", () => {
    let err: InvalidTransportUrl | undefined;
    try {
      parseTransportUrl("rabbit://h:0/");
    } catch (e) {
      err = e as InvalidTransportUrl;
    }
    expect(err?.code).toBe("MESSAGING_INVALID_TRANSPORT_URL");
    expect(err?.url).toBe("rabbit://h:0/");
    expect(err?.message).toMatch(/port/);
  });
});
