import {
  type ApiDatabase,
  type CellDatabase,
  NovaDbError,
  openApiDatabase,
  openCellDatabase,
  redact,
  type SchemaStatus,
  type SyncResult,
} from "@nova/db";
import { CELL0_UUID } from "@nova/objects";
import { Command, CommanderError, Option } from "commander";
import {
  type CellCommandContext,
  createCell,
  deleteCell,
  discoverHostsCommand,
  listCells,
  listHosts,
  mapInstances,
  updateCell,
  verifyInstance,
} from "./cell-commands.js";
import { createFlavor, type FlavorCreateOptions, formatFlavor } from "./flavor-commands.js";
import { ManageUsageError } from "./manage-usage-error.js";
import { type NovaConf, readNovaConf } from "./nova-conf.js";
import { formatServiceTable, listServices } from "./service-commands.js";

/** Where nova-manage writes; injected so tests can read it. */
export interface ManageIo {
  out(line: string): void;
  err(line: string): void;
}

function section(conf: NovaConf, name: string): Record<string, string> & { connection: string } {
  const s = conf[name];
  if (!s?.connection) throw new NovaDbError("DB_CONFIG_INVALID", `[${name}] connection is not set`);
  return s as Record<string, string> & { connection: string };
}

function describeSync(label: string, r: SyncResult): string {
  return r.applied.length === 0
    ? `${label}: already at ${r.to ?? "empty"} (head), nothing to do`
    : `${label}: ${r.from ?? "empty"} -> ${r.to} (applied ${r.applied.join(", ")})`;
}

function describeStatus(s: SchemaStatus): string {
  return `${s.current ?? "empty"} (head ${s.head}${s.pending.length > 0 ? `, ${s.pending.length} pending` : ""})`;
}

async function withApi<T>(conf: NovaConf, fn: (api: ApiDatabase) => Promise<T>): Promise<T> {
  const api = openApiDatabase(section(conf, "api_database"));
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

async function withCell<T>(
  options: Record<string, string> & { connection: string },
  fn: (c: CellDatabase) => Promise<T>,
): Promise<T> {
  const cell = openCellDatabase(options);
  try {
    return await fn(cell);
  } finally {
    await cell.close();
  }
}

/**
 * Runs nova-manage with these arguments (without "node main.js") and returns its exit code:
 * 0 success, 1 a database or configuration error, 2 bad usage.
 */
export async function runNovaManage(argv: readonly string[], io: ManageIo): Promise<number> {
  // Commands that answer with Nova's exit codes set this.
  let exitCode = 0;
  const program = new Command("nova-manage")
    .description("nova-ts management: database schemas, cell mappings, flavors and services")
    .option(
      "--config-file <path>",
      "nova.conf to read (repeatable; later ones win)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const conf = () =>
    readNovaConf(
      program.opts<{ configFile: string[] }>().configFile.length > 0
        ? program.opts<{ configFile: string[] }>().configFile
        : ["/etc/nova/nova.conf"],
    );

  const apiDb = program.command("api_db").description("the API database");
  apiDb
    .command("sync [version]")
    .description("migrate the API database to head (or to a version)")
    .action(async (version?: string) => {
      io.out(describeSync("api database", await withApi(conf(), (api) => api.sync(version))));
    });
  apiDb
    .command("version")
    .description("print the API database schema version")
    .action(async () => {
      io.out(describeStatus(await withApi(conf(), (api) => api.status())));
    });

  const db = program.command("db").description("the cell database");
  db.command("sync [version]")
    .description("migrate the cell database, and cell0 when it is mapped, to head (or to a version)")
    .option("--local_cell", "only the database of [database] connection, not cell0")
    .action(async (version: string | undefined, opts: { local_cell?: boolean }) => {
      const c = conf();
      // As Nova: sync cell0 first when the API database knows it, then this cell.
      if (!opts.local_cell && c.api_database?.connection) {
        const cell0 = await withApi(c, async (api) =>
          (await api.mappings.listCells()).find((m) => m.uuid === CELL0_UUID),
        );
        if (cell0) {
          io.out(
            describeSync(
              `cell0 (${redact(cell0.database_connection)})`,
              await withCell({ connection: cell0.database_connection }, (x) => x.sync(version)),
            ),
          );
        }
      }
      io.out(describeSync("cell database", await withCell(section(c, "database"), (x) => x.sync(version))));
    });
  db.command("version")
    .description("print the cell database schema version")
    .action(async () => {
      io.out(describeStatus(await withCell(section(conf(), "database"), (x) => x.status())));
    });

  const cells = program.command("cell_v2").description("cell mappings");
  cells
    .command("map_cell0")
    .description("create the cell0 mapping (its database defaults to [database] connection with _cell0)")
    .option("--database_connection <url>", "cell0's database URL")
    .action(async (opts: { database_connection?: string }) => {
      const c = conf();
      const url = opts.database_connection ?? cell0Url(section(c, "database").connection);
      const m = await withApi(c, (api) => api.mappings.ensureCell0("none:///", url));
      io.out(`cell0 ${m.uuid} -> ${redact(m.database_connection)}`);
    });
  cells
    .command("simple_cell_setup")
    .description("sync the API database, map cell0 and one cell ([database] connection), and sync both")
    .option("--transport-url <url>", "the cell's transport URL (default [DEFAULT] transport_url)")
    .action(async (opts: { transportUrl?: string }) => {
      const c = conf();
      const cellUrl = section(c, "database").connection;
      const transportUrl = opts.transportUrl ?? c.DEFAULT?.transport_url;
      if (!transportUrl) throw new NovaDbError("DB_CONFIG_INVALID", "[DEFAULT] transport_url is not set");
      const cell0 = cell0Url(cellUrl);
      // As Nova: API schema first, then the mappings, then each cell's schema (cell0 included).
      io.out(describeSync("api database", await withApi(c, (api) => api.sync())));
      const cell = await withApi(c, async (api) => {
        await api.mappings.ensureCell0("none:///", cell0);
        const cells = (await api.mappings.listCells()).filter((m) => m.uuid !== CELL0_UUID);
        return (
          cells.find((m) => m.database_connection === cellUrl) ??
          (await api.mappings.createCell({
            name: "cell1",
            transport_url: transportUrl,
            database_connection: cellUrl,
          }))
        );
      });
      io.out(`cell0 ${CELL0_UUID} -> ${redact(cell0)}`);
      io.out(describeSync("cell0 database", await withCell({ connection: cell0 }, (x) => x.sync())));
      io.out(`${cell.name ?? ""} ${cell.uuid} -> ${redact(cellUrl)}`);
      io.out(describeSync("cell database", await withCell(section(c, "database"), (x) => x.sync())));
    });
  // Nova's cell_v2 commands, their options and exit codes (cell-commands.ts).
  const cellCommand = <O>(fn: (ctx: CellCommandContext, opts: O) => Promise<number>) => {
    return async (opts: O) => {
      const c = conf();
      exitCode = await withApi(c, (api) =>
        fn(
          {
            api,
            conf: c,
            out: io.out,
            inCell: (cell, body) => withCell({ connection: cell.database_connection }, body),
          },
          opts,
        ),
      );
    };
  };
  cells
    .command("create_cell")
    .description(
      "add a cell to the API database (URLs default to [DEFAULT] transport_url, [database] connection)",
    )
    .option("--name <cell_name>", "the name of the cell")
    .option("--database_connection <database_connection>", "the database URL of the cell database")
    .option("--transport-url <transport_url>", "the transport URL of the cell message queue")
    .option("--verbose", "print the uuid of the created cell")
    .option("--disabled", "create the cell disabled")
    .action(cellCommand(createCell));
  cells
    .command("list_cells")
    .description("list the cells (passwords masked unless --verbose)")
    .option("--verbose", "show the URLs with their passwords")
    .action(cellCommand(listCells));
  cells
    .command("delete_cell")
    .description("delete an empty cell")
    .requiredOption("--cell_uuid <cell_uuid>", "the uuid of the cell to delete")
    .option(
      "--force",
      "delete the hosts and instance mappings of the cell as well (no instance may be alive)",
    )
    .action(cellCommand(deleteCell));
  cells
    .command("update_cell")
    .description("change a cell's name, URLs or disabled flag (running services see it on SIGHUP)")
    .requiredOption("--cell_uuid <cell_uuid>", "the uuid of the cell to update")
    .option("--name <cell_name>", "set the cell name")
    .option("--transport-url <transport_url>", "set the cell transport_url")
    .option("--database_connection <database_connection>", "set the cell database_connection")
    .option("--disable", "disable the cell: no new builds are scheduled to it")
    .option("--enable", "enable the cell")
    .action(cellCommand(updateCell));
  cells
    .command("list_hosts")
    .description("list the hosts mapped to one cell or to all")
    .option("--cell_uuid <cell_uuid>", "the uuid of the cell")
    .action(cellCommand(listHosts));
  cells
    .command("discover_hosts")
    .description("map the compute hosts that cells know and the API database does not")
    .option("--cell_uuid <cell_uuid>", "only search this cell")
    .option("--verbose", "print what is discovered")
    .option("--strict", "exit 0 only when an unmapped host was discovered")
    .option("--by-service", "discover hosts by nova-compute service instead of compute node")
    .action(cellCommand(discoverHostsCommand));
  cells
    .command("verify_instance")
    .description("check that an instance is mapped to a cell and alive there")
    .requiredOption("--uuid <instance_uuid>", "the instance uuid to verify")
    .option("--quiet", "print nothing")
    .action(cellCommand(verifyInstance));
  cells
    .command("map_instances")
    .description("map a cell's unmapped instances to it, oldest first, resuming where the last run stopped")
    .requiredOption("--cell_uuid <cell_uuid>", "the cell to map the instances to")
    .option("--max-count <max_count>", "at most this many (default: all, in batches of 50)")
    .option("--reset", "start from the beginning rather than where the last run stopped")
    .action(cellCommand(mapInstances));

  const flavor = program.command("flavor").description("flavors (in the API database)");
  flavor
    .command("create <name>")
    .description("create a flavor")
    .requiredOption("--ram <MB>", "memory in MB")
    .requiredOption("--vcpus <N>", "virtual CPUs")
    .requiredOption("--disk <GB>", "root disk in GB (0: the image's size)")
    .option("--id <id>", "the flavor id (default: a new uuid, as Nova's 'auto')")
    .option("--ephemeral <GB>", "ephemeral disk in GB", "0")
    .option("--swap <MB>", "swap in MB", "0")
    .addOption(
      new Option("--is-public <bool>", "whether every project may use it")
        .default("true")
        .choices(["true", "false", "True", "False"]),
    )
    .option("--description <text>", "a description")
    .action(async (name: string, opts: FlavorCreateOptions) => {
      const created = await withApi(conf(), (api) => createFlavor(api, name, opts));
      io.out(formatFlavor(created));
    });

  const service = program.command("service").description("services (in every cell database)");
  service
    .command("list")
    .description("list the services of every cell, up or down by their last heartbeat")
    .option("--host <host>", "only this host's services")
    .option("--binary <binary>", "only this binary's (nova-compute, nova-scheduler, ...)")
    .action(async (opts: { host?: string; binary?: string }) => {
      const c = conf();
      const rows = await withApi(c, async (api) =>
        listServices(api, c, opts, (cell, fn) => withCell({ connection: cell }, fn)),
      );
      for (const line of formatServiceTable(rows)) io.out(line);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (NovaDbError.isInstance(err)) {
      io.err(`ERROR (${err.code}): ${err.message}`);
      return 1;
    }
    if (ManageUsageError.isInstance(err)) {
      io.err(`ERROR: ${err.message}`);
      return 2;
    }
    io.err(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// Nova's map_cell0 default: the main database URL with "_cell0" appended to the database name.
function cell0Url(main: string): string {
  if (main.startsWith("sqlite"))
    return main.replace(/(\.db)?(\?.*)?$/, (_m, ext = "", q = "") => `_cell0${ext}${q}`);
  return main.replace(/\/([^/?]+)(\?|$)/, (_m, name: string, q: string) => `/${name}_cell0${q}`);
}
