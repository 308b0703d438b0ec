import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const KEYSTONE_MANAGE = "/usr/bin/keystone-manage";
const WSGI_SCRIPT = fileURLToPath(new URL("./keystone-wsgi.py", import.meta.url));

/** Whether Debian's python3-keystone is installed (scripts/setup-services.sh installs it). */
export const keystoneAvailable = (): boolean => existsSync(KEYSTONE_MANAGE);

/** A Keystone user made by {@link KeystoneServer.createUser}. */
export interface KeystoneUser {
  readonly id: string;
  readonly name: string;
  readonly password: string;
  /** The project the user has roles in (and authenticates to by default). */
  readonly projectId: string;
  readonly projectName: string;
}

/** Options of {@link KeystoneServer.start}. */
export interface KeystoneServerOptions {
  /** The bootstrap admin's password (user `admin`, project `admin`, role `admin`). Default `admin-secret`. */
  adminPassword?: string;
  /** The region of every endpoint. Default `RegionOne`. */
  region?: string;
}

/**
 * A real Keystone (Debian's python3-keystone) on loopback for one test file: its own temporary directory with
 * keystone.conf, a SQLite database (`check_same_thread=false`, WAL), Fernet and credential keys, bootstrapped
 * with an admin, a region and the identity endpoint, and served by a threaded WSGI server. Helpers create
 * projects, users with roles, and catalog entries; stop() and restart() take it away and bring it back with the
 * same data and keys (tokens issued before stay valid). Starting takes 10-15 s: share one per file.
 */
export class KeystoneServer {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private adminTokenCache: { token: string; expiresAt: number } | undefined;

  private constructor(
    /** The temporary directory holding keystone.conf, the database and the keys. */
    readonly dir: string,
    /** The port Keystone listens on. */
    readonly port: number,
    /** The bootstrap admin's password. */
    readonly adminPassword: string,
    /** The region of every endpoint. */
    readonly region: string,
  ) {}

  /** Keystone's root URL (`http://127.0.0.1:<port>`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The v3 auth URL clients and nova-api's `[keystone_authtoken] auth_url` use. */
  get authUrl(): string {
    return `${this.url}/v3`;
  }

  /** Sets Keystone up in a new temporary directory and starts it. */
  static async start(options: KeystoneServerOptions = {}): Promise<KeystoneServer> {
    const dir = mkdtempSync(join(tmpdir(), "nova-keystone-"));
    try {
      const port = await freePort();
      const server = new KeystoneServer(
        dir,
        port,
        options.adminPassword ?? "admin-secret",
        options.region ?? "RegionOne",
      );
      await server.setUp();
      await server.spawn();
      return server;
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private get confPath(): string {
    return join(this.dir, "keystone.conf");
  }

  private async setUp(): Promise<void> {
    const db = join(this.dir, "keystone.db");
    writeFileSync(
      this.confPath,
      [
        "[DEFAULT]",
        `log_file = ${join(this.dir, "keystone.log")}`,
        "[database]",
        // The threaded server shares connections across threads.
        `connection = sqlite:///${db}?check_same_thread=false`,
        "[fernet_tokens]",
        `key_repository = ${join(this.dir, "fernet-keys")}`,
        "[fernet_receipts]",
        `key_repository = ${join(this.dir, "fernet-keys")}`,
        "[credential]",
        `key_repository = ${join(this.dir, "credential-keys")}`,
        "[token]",
        "provider = fernet",
        "",
      ].join("\n"),
    );
    const user = userInfo().username;
    const group = (await run("id", ["-gn"])).stdout.trim();
    const owner = ["--keystone-user", user, "--keystone-group", group];
    // The key repositories do not touch the database: made beside the database's own steps.
    const database = async () => {
      await this.manage("db_sync");
      // Without WAL, concurrent requests fail with "database is locked"; the mode sticks to the file.
      const wal = `import sqlite3; sqlite3.connect(${JSON.stringify(db)}).execute("PRAGMA journal_mode=WAL")`;
      await run(PYTHON, ["-c", wal]);
      await this.manage(
        "bootstrap",
        ...["--bootstrap-password", this.adminPassword, "--bootstrap-region-id", this.region],
        ...["--bootstrap-admin-url", this.authUrl, "--bootstrap-public-url", this.authUrl],
        ...["--bootstrap-internal-url", this.authUrl],
      );
    };
    await Promise.all([
      database(),
      this.manage("fernet_setup", ...owner),
      this.manage("credential_setup", ...owner),
    ]);
  }

  private async manage(...args: string[]): Promise<void> {
    await run(KEYSTONE_MANAGE, ["--config-file", this.confPath, ...args], {
      env: { ...process.env, PYTHONWARNINGS: "ignore" },
      timeout: 180_000,
    }).catch((err: { stderr?: string; message: string }) => {
      throw new Error(`keystone-manage ${args[0]} failed: ${err.stderr || err.message}`);
    });
  }

  private async spawn(): Promise<void> {
    const child = spawn(PYTHON, [WSGI_SCRIPT, String(this.port)], {
      env: { ...process.env, OS_KEYSTONE_CONFIG_FILES: this.confPath, PYTHONWARNINGS: "ignore" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) =>
        reject(new Error(`Keystone exited with ${code} while starting:\n${this.output.join("")}`)),
      ),
    );
    exited.catch(() => {});
    for (let i = 0; i < 600; i++) {
      const up = await Promise.race([
        fetch(this.authUrl).then(
          (r) => r.ok,
          () => false,
        ),
        exited,
      ]);
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Keystone did not answer on ${this.authUrl} within 60 s:\n${this.output.join("")}`);
  }

  /** Stops Keystone (its data stays): until restart(), connections to its port are refused. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  }

  /** Starts Keystone again on the same port with the same database and keys. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** Stops Keystone and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** What Keystone printed lately, for failure messages. */
  logs(): string {
    return this.output.join("");
  }

  /** A project-scoped token for `user` by password (Keystone's `X-Subject-Token`). */
  async issueToken(user: { name: string; password: string; projectName: string }): Promise<string> {
    const response = await fetch(`${this.authUrl}/auth/tokens?nocatalog`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ["password"],
            password: { user: { name: user.name, domain: { id: "default" }, password: user.password } },
          },
          scope: { project: { name: user.projectName, domain: { id: "default" } } },
        },
      }),
    });
    const token = response.headers.get("x-subject-token");
    if (response.status !== 201 || !token) {
      throw new Error(`Keystone refused ${user.name}'s login: ${response.status} ${await response.text()}`);
    }
    await response.body?.cancel();
    return token;
  }

  /** Revokes `token` (`DELETE /v3/auth/tokens`). */
  async revokeToken(token: string): Promise<void> {
    await this.admin("DELETE", "/auth/tokens", undefined, { "X-Subject-Token": token });
  }

  /** Creates a project in the Default domain. */
  async createProject(name: string): Promise<{ id: string; name: string }> {
    const body = await this.admin("POST", "/projects", { project: { name, domain_id: "default" } });
    return { id: body.project.id, name };
  }

  /** Creates a role (bootstrap made `admin`, `member` and `reader`); returns its id. */
  async createRole(name: string): Promise<string> {
    return (await this.admin("POST", "/roles", { role: { name } })).role.id;
  }

  /**
   * Creates a user with `roles` on `project` (created when given by name only). Keystone's implied roles apply:
   * `admin` implies `member`, which implies `reader`.
   */
  async createUser(spec: {
    name: string;
    password?: string;
    project: string | { id: string; name: string };
    roles: string[];
  }): Promise<KeystoneUser> {
    const project = typeof spec.project === "string" ? await this.createProject(spec.project) : spec.project;
    const password = spec.password ?? `${spec.name}-secret`;
    const body = await this.admin("POST", "/users", {
      user: { name: spec.name, password, domain_id: "default", default_project_id: project.id },
    });
    const userId: string = body.user.id;
    for (const role of spec.roles) {
      const roleId = await this.roleId(role);
      await this.admin("PUT", `/projects/${project.id}/users/${userId}/roles/${roleId}`);
    }
    return { id: userId, name: spec.name, password, projectId: project.id, projectName: project.name };
  }

  /** Adds a service and its public and internal endpoints at `url` to the catalog. */
  async registerService(spec: { type: string; name: string; url: string }): Promise<void> {
    const service = await this.admin("POST", "/services", { service: { type: spec.type, name: spec.name } });
    for (const iface of ["public", "internal"]) {
      await this.admin("POST", "/endpoints", {
        endpoint: { service_id: service.service.id, interface: iface, url: spec.url, region_id: this.region },
      });
    }
  }

  /**
   * An application credential of `user` on its project (a user makes its own: Keystone's policy lets no one else),
   * with the user's roles there unless `roles` names fewer.
   */
  async createApplicationCredential(
    user: KeystoneUser,
    name: string,
    roles?: string[],
  ): Promise<{ id: string; name: string; secret: string }> {
    const token = await this.issueToken(user);
    const response = await fetch(`${this.authUrl}/users/${user.id}/application_credentials`, {
      method: "POST",
      headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
      body: JSON.stringify({
        application_credential: { name, ...(roles ? { roles: roles.map((r) => ({ name: r })) } : {}) },
      }),
    });
    const text = await response.text();
    if (response.status !== 201)
      throw new Error(`Keystone refused ${user.name}'s application credential: ${text}`);
    const credential = JSON.parse(text).application_credential;
    return { id: credential.id, name, secret: credential.secret };
  }

  /**
   * A service user as a deployment makes one for nova (`nova`): the `service` and `admin` roles in a `service`
   * project; its credentials go into nova-api's `[keystone_authtoken]`.
   */
  async createServiceUser(name = "nova"): Promise<KeystoneUser> {
    const existing = await this.admin("GET", "/roles?name=service");
    if (existing.roles.length === 0) await this.createRole("service");
    const projects = await this.admin("GET", "/projects?name=service");
    const project = projects.projects[0] ?? (await this.createProject("service"));
    return this.createUser({
      name,
      project: { id: project.id, name: "service" },
      roles: ["service", "admin"],
    });
  }

  private async roleId(name: string): Promise<string> {
    const body = await this.admin("GET", `/roles?name=${encodeURIComponent(name)}`);
    const id = body.roles?.[0]?.id;
    if (typeof id !== "string") throw new Error(`Keystone has no role ${name}`);
    return id;
  }

  /** One request to Keystone's API as the bootstrap admin; Keystone's JSON, read field by field above. */
  private async admin(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // biome-ignore lint/suspicious/noExplicitAny: Keystone's JSON, read field by field by the helpers above.
  ): Promise<any> {
    const token = await this.adminToken();
    const response = await fetch(`${this.authUrl}${path}`, {
      method,
      headers: { "X-Auth-Token": token, "Content-Type": "application/json", ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Keystone ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  private async adminToken(): Promise<string> {
    const held = this.adminTokenCache;
    if (held && held.expiresAt > Date.now() + 60_000) return held.token;
    const token = await this.issueToken({
      name: "admin",
      password: this.adminPassword,
      projectName: "admin",
    });
    // Keystone's default token lifetime is an hour.
    this.adminTokenCache = { token, expiresAt: Date.now() + 3_000_000 };
    return token;
  }
}
