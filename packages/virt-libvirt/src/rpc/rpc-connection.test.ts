import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LibvirtError } from "./libvirt-error.js";
import {
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  type MessageHeader,
  MessageStatus,
  MessageType,
  REMOTE_PROGRAM,
  readHeader,
  writeHeader,
} from "./message-header.js";
import { writeError } from "./remote-types.js";
import { RpcConnection } from "./rpc-connection.js";
import { XdrReader } from "./xdr-reader.js";
import { XdrWriter } from "./xdr-writer.js";

/** A stand-in daemon: hands each decoded message to the test, which answers as it likes. */
class ScriptedDaemon {
  readonly received: Array<{ header: MessageHeader; body: XdrReader }> = [];
  socket: Socket | undefined;
  #waiters: Array<() => void> = [];

  constructor(readonly server: Server) {}

  static async start(path: string): Promise<ScriptedDaemon> {
    let daemon: ScriptedDaemon | undefined;
    const server = createServer((socket) => {
      daemon!.socket = socket;
      let buf = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
          const frame = buf.subarray(0, buf.readUInt32BE(0));
          buf = buf.subarray(frame.length);
          const r = new XdrReader(Buffer.from(frame), 4);
          daemon!.received.push({ header: readHeader(r), body: r });
          for (const w of daemon!.#waiters.splice(0)) w();
        }
      });
    });
    daemon = new ScriptedDaemon(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return daemon;
  }

  async waitFor(count: number): Promise<void> {
    while (this.received.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  frame(header: MessageHeader, body?: (w: XdrWriter) => void): Buffer {
    const w = new XdrWriter();
    w.uint(0);
    writeHeader(w, header);
    body?.(w);
    w.patchUint(0, w.length);
    return Buffer.from(w.bytes());
  }

  reply(call: MessageHeader, body?: (w: XdrWriter) => void, status: number = MessageStatus.OK): Buffer {
    return this.frame({ ...call, type: MessageType.REPLY, status }, body);
  }
}

let dir: string;
let daemon: ScriptedDaemon | undefined;
let conn: RpcConnection | undefined;

async function setup(): Promise<{ daemon: ScriptedDaemon; conn: RpcConnection }> {
  dir = mkdtempSync(join(tmpdir(), "nova-rpc-"));
  daemon = await ScriptedDaemon.start(join(dir, "sock"));
  conn = await RpcConnection.connect(join(dir, "sock"));
  return { daemon, conn };
}

afterEach(async () => {
  await conn?.close();
  daemon?.socket?.destroy();
  await new Promise((resolve) => daemon?.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("RpcConnection", () => {
  it("frames calls with the remote program header and increasing serials", async () => {
    const { daemon, conn } = await setup();
    const a = conn.call(
      23,
      (w) => w.string("vm-a"),
      (r) => r.int(),
    );
    const b = conn.call(
      23,
      (w) => w.string("vm-b"),
      (r) => r.int(),
    );
    await daemon.waitFor(2);
    const [first, second] = daemon.received;
    expect(first!.header).toEqual({
      program: REMOTE_PROGRAM,
      version: 1,
      procedure: 23,
      type: MessageType.CALL,
      serial: 1,
      status: MessageStatus.OK,
    });
    expect(second!.header.serial).toBe(2);
    expect(first!.body.string()).toBe("vm-a");
    expect(conn.inFlight).toBe(2);
    // Replies in the opposite order still reach their callers.
    daemon.socket!.write(daemon.reply(second!.header, (w) => w.int(222)));
    daemon.socket!.write(daemon.reply(first!.header, (w) => w.int(111)));
    expect(await Promise.all([a, b])).toEqual([111, 222]);
    expect(conn.inFlight).toBe(0);
  });

  it("turns an error reply into a LibvirtError with libvirt's numbers", async () => {
    const { daemon, conn } = await setup();
    const call = conn.call(23, (w) => w.string("ghost"));
    await daemon.waitFor(1);
    daemon.socket!.write(
      daemon.reply(
        daemon.received[0]!.header,
        (w) =>
          writeError(w, { virCode: 42, virDomain: 10, message: "Domain not found: no domain", level: 2 }),
        MessageStatus.ERROR,
      ),
    );
    const error = await call.catch((e: unknown) => e);
    expect(LibvirtError.hasVirCode(error, 42)).toBe(true);
    expect(error).toMatchObject({
      code: "LIBVIRT_ERROR",
      virCode: 42,
      virCodeName: "VIR_ERR_NO_DOMAIN",
      virDomainName: "VIR_FROM_QEMU",
      message: "Domain not found: no domain",
      isRetryable: false,
    });
  });

  it("reassembles messages split across reads and several messages in one read", async () => {
    const { daemon, conn } = await setup();
    const calls = [1, 2, 3].map(() => conn.call(7, undefined, (r) => r.string()));
    await daemon.waitFor(3);
    const big = "x".repeat(70_000);
    const bytes = Buffer.concat(daemon.received.map((m) => daemon.reply(m.header, (w) => w.string(big))));
    // Deliver in uneven slices, including a split inside the 4-byte length word.
    for (let at = 0; at < bytes.length; ) {
      const size = at === 0 ? 2 : 33_333;
      daemon.socket!.write(bytes.subarray(at, at + size));
      at += size;
    }
    expect((await Promise.all(calls)).map((s) => s.length)).toEqual([70_000, 70_000, 70_000]);
  });

  it("routes asynchronous messages to their handlers and answers keepalive pings", async () => {
    const { daemon, conn } = await setup();
    const seen: number[] = [];
    conn.onMessage(107, (r) => seen.push(r.int()));
    daemon.socket!.write(
      daemon.frame(
        {
          program: REMOTE_PROGRAM,
          version: 1,
          procedure: 107,
          type: MessageType.MESSAGE,
          serial: 0,
          status: 0,
        },
        (w) => w.int(5),
      ),
    );
    daemon.socket!.write(
      daemon.frame({
        program: KEEPALIVE_PROGRAM,
        version: 1,
        procedure: KEEPALIVE_PROC_PING,
        type: MessageType.MESSAGE,
        serial: 0,
        status: 0,
      }),
    );
    await daemon.waitFor(1);
    expect(daemon.received[0]!.header).toMatchObject({
      program: KEEPALIVE_PROGRAM,
      procedure: KEEPALIVE_PROC_PONG,
      type: MessageType.MESSAGE,
    });
    expect(seen).toEqual([5]);
  });

  it("delivers stream packets for a call until the stream ends", async () => {
    const { daemon, conn } = await setup();
    const chunks: string[] = [];
    let ended = false;
    const opened = conn.call(201, undefined, undefined, {
      onStream: (p) => {
        if (p.status === MessageStatus.CONTINUE) chunks.push(p.data.toString());
        else ended = true;
      },
    });
    await daemon.waitFor(1);
    const call = daemon.received[0]!.header;
    daemon.socket!.write(daemon.reply(call));
    await opened;
    const packet = (status: number, text: string) =>
      daemon.frame({ ...call, type: MessageType.STREAM, status }, (w) => w.raw(Buffer.from(text)));
    daemon.socket!.write(
      Buffer.concat([packet(MessageStatus.CONTINUE, "login: "), packet(MessageStatus.OK, "")]),
    );
    await expect.poll(() => ended).toBe(true);
    expect(chunks).toEqual(["login: "]);
  });

  it("rejects calls in flight, and later ones, when the daemon goes away", async () => {
    const { daemon, conn } = await setup();
    const closed: LibvirtError[] = [];
    conn.onClose((e) => closed.push(e));
    const pending = conn.call(16);
    await daemon.waitFor(1);
    daemon.socket!.destroy();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibvirtError);
    expect(error).toMatchObject({ virCodeName: "VIR_ERR_SYSTEM_ERROR", virDomainName: "VIR_FROM_RPC" });
    expect((error as LibvirtError).isRetryable).toBe(true);
    expect(closed).toHaveLength(1);
    await expect(conn.call(16)).rejects.toBe(error);
    expect(conn.closed).toBe(true);
  });

  it("pings an idle daemon and fails the connection when it stops answering", async () => {
    const { daemon, conn } = await setup();
    const closed: LibvirtError[] = [];
    conn.onClose((e) => closed.push(e));
    conn.watchKeepalive(20, 2);
    await daemon.waitFor(1);
    expect(daemon.received[0]!.header).toMatchObject({
      program: KEEPALIVE_PROGRAM,
      procedure: KEEPALIVE_PROC_PING,
    });
    await expect.poll(() => closed.length, { timeout: 5000 }).toBe(1);
    expect(closed[0]!.message).toMatch(/^libvirtd did not answer keepalives for/);
    expect(closed[0]!.isRetryable).toBe(true);
  });

  it("drops the connection on a message length libvirt would never send", async () => {
    const { daemon, conn } = await setup();
    const pending = conn.call(16);
    await daemon.waitFor(1);
    daemon.socket!.write(Buffer.from([0xff, 0, 0, 0]));
    await expect(pending).rejects.toThrow("bad message length");
  });

  it("fails to connect with VIR_ERR_NO_CONNECT when nothing listens", async () => {
    await setup();
    const error = await RpcConnection.connect(join(dir, "absent")).catch((e: unknown) => e);
    expect(error).toMatchObject({ virCodeName: "VIR_ERR_NO_CONNECT" });
  });
});
