import { ApiVersion } from "../../api-version.js";
import type { ComputeClient } from "../../compute-client.js";
import type { Server, ServerStatus } from "../../schemas/servers.js";
import { integerOption, keyValues } from "../command-line.js";
import type { CommandContext, CommandSpec, OptionSpec } from "../command-spec.js";
import { findFlavor, findImageId, findServer } from "../find-resource.js";
import type { Column } from "../table.js";
import { UsageError } from "../usage-error.js";

const WAIT: Record<string, OptionSpec> = {
  wait: { type: "boolean", help: "wait for the server to settle, showing its progress" },
};

/** `net=10.0.0.3, 10.0.0.4; other=...`, as openstackclient shows addresses. */
export function formatAddresses(addresses: Server["addresses"]): string {
  return Object.entries(addresses)
    .map(([net, list]) => `${net}=${list.map((a) => a.addr).join(", ")}`)
    .join("; ");
}

const flavorName = (server: Server): string =>
  "original_name" in server.flavor ? server.flavor.original_name : server.flavor.id;

const SERVER_COLUMNS: Column<Server>[] = [
  { header: "ID", value: (s) => s.id },
  { header: "Name", value: (s) => s.name },
  { header: "Status", value: (s) => s.status },
  { header: "Networks", value: (s) => formatAddresses(s.addresses) },
  { header: "Image", value: (s) => (s.image === "" ? "" : s.image.id) },
  { header: "Flavor", value: flavorName },
];

/** Waits for `status` with the progress display, returning the server (undefined status: until deleted). */
async function waitFor(
  ctx: CommandContext,
  client: ComputeClient,
  server: Pick<Server, "id" | "name">,
  status: ServerStatus | undefined,
): Promise<Server | undefined> {
  const progress = ctx.progress(`server ${server.name || server.id}`);
  progress.start();
  try {
    const options = { timeoutMs: ctx.waitTimeoutMs, onProgress: progress.onProgress, clock: ctx.clock };
    if (status === undefined) {
      await client.waitForServerDeleted(server.id, options);
      return undefined;
    }
    return await client.waitForServer(server.id, status, options);
  } finally {
    progress.finish();
  }
}

/** The status a server in VERIFY_RESIZE settles in once confirmed or reverted: as its guest's power. */
const settledStatus = (server: Server): ServerStatus =>
  server["OS-EXT-STS:power_state"] === 1 || server["OS-EXT-STS:vm_state"] === "active" ? "ACTIVE" : "SHUTOFF";

/** A server action command: find the server, post the action, optionally wait for a status. */
function actionCommand(
  action: string,
  summary: string,
  post: (ctx: CommandContext, client: ComputeClient, server: Server) => Promise<void>,
  settle: (server: Server) => ServerStatus,
  options: Record<string, OptionSpec> = {},
  args: CommandSpec["args"] = [{ name: "server" }],
): CommandSpec {
  return {
    resource: "server",
    action,
    summary,
    args,
    options: { ...options, ...WAIT },
    async run(ctx) {
      const client = await ctx.client();
      const server = await findServer(client, ctx.args[0] as string);
      await post(ctx, client, server);
      if (!ctx.options.wait) {
        ctx.out.note(`Request to ${action} server ${server.name || server.id} has been accepted.`);
        return;
      }
      const settled = await waitFor(ctx, client, server, settle(server));
      if (settled) ctx.out.show(settled);
    },
  };
}

/** `nova server ...`: list, show, create, delete and the lifecycle actions. */
export const serverCommands: CommandSpec[] = [
  {
    resource: "server",
    action: "list",
    summary: "list servers (in detail), page after page",
    options: {
      name: { type: "string", value: "REGEX", help: "only servers whose name matches" },
      status: { type: "string", value: "STATUS", help: "only servers with this status (ACTIVE, ERROR, ...)" },
      "all-projects": { type: "boolean", help: "servers of every project (admin)" },
      limit: { type: "string", value: "N", help: "page size asked of the API" },
    },
    async run(ctx) {
      const client = await ctx.client();
      const servers: Server[] = [];
      const limit = integerOption(ctx.options.limit, "limit", "server list");
      for await (const server of client.servers.listDetail({
        ...(ctx.options.name ? { name: ctx.options.name as string } : {}),
        ...(ctx.options.status
          ? { status: (ctx.options.status as string).toUpperCase() as ServerStatus }
          : {}),
        ...(ctx.options["all-projects"] ? { all_tenants: true } : {}),
        ...(limit !== undefined ? { limit } : {}),
      })) {
        servers.push(server);
      }
      ctx.out.list(servers, SERVER_COLUMNS);
    },
  },
  {
    resource: "server",
    action: "show",
    summary: "show a server, by name or ID",
    args: [{ name: "server" }],
    async run(ctx) {
      ctx.out.show(await findServer(await ctx.client(), ctx.args[0] as string));
    },
  },
  {
    resource: "server",
    action: "create",
    summary: "boot a server",
    args: [{ name: "name" }],
    options: {
      flavor: { type: "string", value: "FLAVOR", help: "flavor name or ID (required)" },
      image: { type: "string", value: "IMAGE", help: "image name or ID (required)" },
      "key-name": { type: "string", value: "KEYPAIR", help: "a key pair to inject" },
      "availability-zone": { type: "string", value: "ZONE", help: "where to boot it" },
      network: {
        type: "string",
        multiple: true,
        value: "NETWORK",
        help: "a network UUID to attach (repeatable)",
      },
      nic: { type: "string", value: "auto|none", help: "no --network: auto (default from 2.37) or none" },
      property: { type: "string", multiple: true, value: "KEY=VALUE", help: "metadata (repeatable)" },
      description: { type: "string", value: "TEXT", help: "a description (2.19+)" },
      ...WAIT,
    },
    async run(ctx) {
      const helpFor = "server create";
      const { flavor, image, nic } = ctx.options as Record<string, string | undefined>;
      if (!flavor) throw new UsageError("--flavor is required", helpFor);
      if (!image) throw new UsageError("--image is required", helpFor);
      if (nic !== undefined && nic !== "auto" && nic !== "none") {
        throw new UsageError(`--nic takes auto or none, got ${nic}`, helpFor);
      }
      const networksGiven = ctx.options.network as string[] | undefined;
      if (networksGiven && nic) throw new UsageError("give --network or --nic, not both", helpFor);
      const metadata = keyValues(ctx.options.property as string[] | undefined, "property", helpFor);
      const client = await ctx.client();
      const version = ApiVersion.parse(client.microversion ?? "2.1");
      // From 2.37 Nova wants `networks`; openstackclient's default there is "auto".
      const networks = networksGiven
        ? networksGiven.map((uuid) => ({ uuid }))
        : (nic ?? (version?.atLeast("2.37") ? "auto" : undefined));
      const created = await client.createServer({
        name: ctx.args[0] as string,
        flavorRef: (await findFlavor(client, flavor)).id,
        imageRef: await findImageId(client, image),
        ...(networks !== undefined ? { networks } : {}),
        ...(ctx.options["key-name"] ? { key_name: ctx.options["key-name"] as string } : {}),
        ...(ctx.options["availability-zone"]
          ? { availability_zone: ctx.options["availability-zone"] as string }
          : {}),
        ...(Object.keys(metadata).length ? { metadata } : {}),
        ...(ctx.options.description !== undefined ? { description: ctx.options.description as string } : {}),
      } as Parameters<ComputeClient["createServer"]>[0]);
      const server = ctx.options.wait
        ? await waitFor(ctx, client, { id: created.id, name: ctx.args[0] as string }, "ACTIVE")
        : await client.getServer(created.id);
      ctx.out.show({ ...server, ...(created.adminPass ? { adminPass: created.adminPass } : {}) });
    },
  },
  {
    resource: "server",
    action: "delete",
    summary: "delete servers, by name or ID",
    args: [{ name: "server", variadic: true }],
    options: { ...WAIT },
    async run(ctx) {
      const client = await ctx.client();
      const servers: Server[] = [];
      for (const nameOrId of ctx.args) servers.push(await findServer(client, nameOrId));
      for (const server of servers) await client.deleteServer(server.id);
      for (const server of servers) {
        if (ctx.options.wait) await waitFor(ctx, client, server, undefined);
        ctx.out.note(`Request to delete server ${server.name || server.id} has been accepted.`);
      }
    },
  },
  actionCommand(
    "reboot",
    "reboot a server (soft unless --hard)",
    (ctx, client, server) => client.rebootServer(server.id, ctx.options.hard ? "HARD" : "SOFT"),
    () => "ACTIVE",
    { hard: { type: "boolean", help: "a hard reboot (power cycle)" } },
  ),
  actionCommand(
    "stop",
    "stop (power off) a server",
    (_ctx, client, server) => client.stopServer(server.id),
    () => "SHUTOFF",
  ),
  actionCommand(
    "start",
    "start a stopped server",
    (_ctx, client, server) => client.startServer(server.id),
    () => "ACTIVE",
  ),
  actionCommand(
    "resize",
    "resize a server to another flavor (then confirm-resize or revert-resize)",
    async (ctx, client, server) => {
      const flavor = await findFlavor(client, ctx.args[1] as string);
      await client.servers.action(server.id, { resize: { flavorRef: flavor.id } });
    },
    () => "VERIFY_RESIZE",
    {},
    [{ name: "server" }, { name: "flavor" }],
  ),
  actionCommand(
    "migrate",
    "cold-migrate a server to another host (then confirm-resize or revert-resize)",
    async (ctx, client, server) => {
      const host = ctx.options.host as string | undefined;
      if (host && !ApiVersion.parse(client.microversion ?? "2.1")?.atLeast("2.56")) {
        throw new UsageError("--host needs microversion 2.56 or later", "server migrate");
      }
      await client.servers.action(server.id, { migrate: host ? { host } : null });
    },
    () => "VERIFY_RESIZE",
    { host: { type: "string", value: "HOST", help: "the destination host (2.56+)" } },
  ),
  actionCommand(
    "confirm-resize",
    "confirm a resize or migration (VERIFY_RESIZE)",
    (_ctx, client, server) => client.servers.action(server.id, { confirmResize: null }),
    settledStatus,
  ),
  actionCommand(
    "revert-resize",
    "revert a resize or migration (VERIFY_RESIZE) to the old flavor and host",
    (_ctx, client, server) => client.servers.action(server.id, { revertResize: null }),
    settledStatus,
  ),
];
