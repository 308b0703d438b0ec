import amqp from "amqplib";
import mysql from "mysql2/promise";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "./mariadb-database.js";
import { createTestVhost } from "./rabbit-vhost.js";

describe("test services", () => {
  it("gives each test its own RabbitMQ vhost", async () => {
    const vhost = await createTestVhost("smoke");
    try {
      const conn = await amqp.connect(vhost.amqpUrl);
      const ch = await conn.createChannel();
      await ch.assertQueue("only-here", { durable: false, arguments: { "x-expires": 60_000 } });
      await conn.close();
      const queues = await vhost.queues();
      expect(queues.map((q) => q.name)).toEqual(["only-here"]);
      expect(queues[0]?.arguments).toEqual({ "x-expires": 60_000 });
    } finally {
      await vhost.dispose();
    }
  });

  it("gives each test file its own MariaDB database", async () => {
    const db = await createTestDatabase("smoke");
    try {
      const conn = await mysql.createConnection({ host: "127.0.0.1", user: "root", database: db.name });
      const [rows] = await conn.query("select database() as db");
      await conn.end();
      expect(rows).toEqual([{ db: db.name }]);
    } finally {
      await db.dispose();
    }
  });
});
