import { hasErrorCode } from "@nova/core";
import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseConnectionUrl, parseDatabaseOptions, redact } from "../src/index.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("connection URLs as nova.conf writes them", () => {
  it("reads mysql+pymysql and mysql URLs", () => {
    expect(
      parseConnectionUrl("mysql+pymysql://nova:s3cr%40t@db.example:3307/nova_cell1?charset=utf8"),
    ).toEqual({
      dialect: "mysql",
      host: "db.example",
      port: 3307,
      user: "nova",
      password: "s3cr@t",
      database: "nova_cell1",
      params: { charset: "utf8" },
    });
    expect(parseConnectionUrl("mysql://root@127.0.0.1/nova_api")).toMatchObject({
      port: 3306,
      user: "root",
      password: "",
      database: "nova_api",
    });
  });

  it("reads SQLite URLs the way SQLAlchemy does", () => {
    expect(parseConnectionUrl("sqlite://")).toEqual({ dialect: "sqlite", path: ":memory:" });
    expect(parseConnectionUrl("sqlite:///:memory:")).toEqual({ dialect: "sqlite", path: ":memory:" });
    expect(parseConnectionUrl("sqlite:///nova.db")).toEqual({ dialect: "sqlite", path: "nova.db" });
    expect(parseConnectionUrl("sqlite:////var/lib/nova/nova.db")).toEqual({
      dialect: "sqlite",
      path: "/var/lib/nova/nova.db",
    });
  });

  it("rejects unknown schemes and malformed URLs with typed errors, never echoing the password", () => {
    const err = thrown(() => parseConnectionUrl("postgresql://nova:hunter2@db/nova"));
    expect(err).toBeInstanceOf(DatabaseUrlError);
    expect(err).toMatchObject({ code: "DB_URL_UNSUPPORTED" });
    expect(String((err as Error).message)).toContain("postgresql");
    expect((err as DatabaseUrlError).url).not.toContain("hunter2");
    expect(() => parseConnectionUrl("not a url")).toThrow(
      expect.objectContaining({ code: "DB_URL_INVALID" }),
    );
    expect(() => parseConnectionUrl("mysql://root@host")).toThrow(
      expect.objectContaining({ code: "DB_URL_INVALID" }),
    );
    expect(redact("mysql+pymysql://nova:pw@h/db")).toBe("mysql+pymysql://nova:***@h/db");
  });

  it("parses [database] options from INI strings with oslo.db defaults", () => {
    const o = parseDatabaseOptions({
      connection: "sqlite://",
      max_pool_size: "10",
      db_inc_retry_interval: "False",
    });
    expect(o).toMatchObject({
      max_pool_size: 10,
      max_overflow: 50,
      db_max_retries: 20,
      db_inc_retry_interval: false,
    });
    const bad = thrown(() => parseDatabaseOptions({ connection: "sqlite://", max_pool_size: "many" }));
    expect(hasErrorCode(bad, "DB_CONFIG_INVALID")).toBe(true);
  });
});
