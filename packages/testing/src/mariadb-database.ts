import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

export interface TestDatabase {
  name: string;
  /** Nova-style connection URL: mysql+pymysql://root@127.0.0.1:3306/<name>?charset=utf8 */
  url: string;
  dispose(): Promise<void>;
}

export const defaultMariaDb = { host: "127.0.0.1", port: 3306, user: "root", password: "" };

/**
 * Creates a fresh, empty MariaDB database for one test file; dispose() drops it. With `unixSocket` its URL
 * connects through that socket (`&unix_socket=`, as pymysql reads it) instead of host:port.
 */
export async function createTestDatabase(
  prefix = "test",
  server = defaultMariaDb,
  opts: { unixSocket?: string } = {},
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({ ...server });
  } catch (err) {
    throw new Error(
      `MariaDB unreachable at ${server.host}:${server.port} (run scripts/setup-services.sh): ${String(err)}`,
    );
  }
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await conn.end();
  }
  const auth = server.password ? `${server.user}:${encodeURIComponent(server.password)}` : server.user;
  return {
    name,
    url: `mysql+pymysql://${auth}@${server.host}:${server.port}/${name}?charset=utf8${
      opts.unixSocket ? `&unix_socket=${opts.unixSocket}` : ""
    }`,
    dispose: async () => {
      const c = await mysql.createConnection({ ...server });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}
