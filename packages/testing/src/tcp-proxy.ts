import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in the test process in front of a server (MariaDB for one cell): hold() makes it stop answering
 * without closing anything, as a partitioned or hung server does: bytes already sent wait in the sockets' buffers,
 * new connections are accepted but never reach the server. resume() lets everything through again.
 */
export class TcpProxy {
  private held = false;
  private readonly sockets = new Set<Socket>();
  private readonly waiting = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    /** The port the proxy listens on (127.0.0.1). */
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the proxy has no TCP address");
    proxy = new TcpProxy(server, address.port);
    return proxy;
  }

  /** Stops forwarding in both directions and holds new connections; nothing is closed. */
  hold(): void {
    this.held = true;
    for (const s of this.sockets) s.pause();
  }

  /** Forwards again: what was held flows on, and the held connections reach the server. */
  resume(): void {
    this.held = false;
    for (const s of this.sockets) s.resume();
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const go of waiting) go();
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.waiting.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    this.track(client);
    const connect = () => {
      if (client.destroyed) return;
      const upstream = createConnection(target);
      this.track(upstream);
      this.forward(client, upstream);
      this.forward(upstream, client);
    };
    if (this.held) {
      client.pause();
      this.waiting.add(connect);
    } else connect();
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => s.destroy());
  }

  // By hand rather than pipe(): pipe() resumes its source on 'drain' even while the proxy holds.
  private forward(from: Socket, to: Socket): void {
    from.on("data", (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!this.held) from.resume();
    });
    from.on("end", () => to.end());
    from.on("close", () => to.destroy());
    if (this.held) from.pause();
  }
}
