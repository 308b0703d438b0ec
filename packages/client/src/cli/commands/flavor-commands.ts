import { readFile, writeFile } from "node:fs/promises";
import type { Flavor } from "../../schemas/flavors.js";
import type { KeyPairSummary } from "../../schemas/keypairs.js";
import { integerOption } from "../command-line.js";
import type { CommandSpec } from "../command-spec.js";
import { findFlavor } from "../find-resource.js";
import type { Column } from "../table.js";
import { UsageError } from "../usage-error.js";

const FLAVOR_COLUMNS: Column<Flavor>[] = [
  { header: "ID", value: (f) => f.id },
  { header: "Name", value: (f) => f.name },
  { header: "RAM", value: (f) => f.ram },
  { header: "Disk", value: (f) => f.disk },
  { header: "Ephemeral", value: (f) => f["OS-FLV-EXT-DATA:ephemeral"] },
  { header: "VCPUs", value: (f) => f.vcpus },
  { header: "Is Public", value: (f) => f["os-flavor-access:is_public"] },
];

/** `nova flavor ...`: list, show, create, delete. */
export const flavorCommands: CommandSpec[] = [
  {
    resource: "flavor",
    action: "list",
    summary: "list flavors (in detail)",
    options: { all: { type: "boolean", help: "public and private flavors (admin)" } },
    async run(ctx) {
      const client = await ctx.client();
      const flavors: Flavor[] = [];
      for await (const f of client.flavors.listDetail(ctx.options.all ? { is_public: "none" } : {})) {
        flavors.push(f);
      }
      ctx.out.list(flavors, FLAVOR_COLUMNS);
    },
  },
  {
    resource: "flavor",
    action: "show",
    summary: "show a flavor, by name or ID",
    args: [{ name: "flavor" }],
    async run(ctx) {
      ctx.out.show(await findFlavor(await ctx.client(), ctx.args[0] as string));
    },
  },
  {
    resource: "flavor",
    action: "create",
    summary: "create a flavor (admin)",
    args: [{ name: "name" }],
    options: {
      id: { type: "string", value: "ID", help: "its ID (default: a generated UUID)" },
      ram: { type: "string", value: "MiB", help: "memory (required)" },
      vcpus: { type: "string", value: "N", help: "virtual CPUs (required)" },
      disk: { type: "string", value: "GiB", help: "root disk (default 0)" },
      ephemeral: { type: "string", value: "GiB", help: "ephemeral disk (default 0)" },
      swap: { type: "string", value: "MiB", help: "swap (default 0)" },
      private: { type: "boolean", help: "not public (only projects given access see it)" },
      description: { type: "string", value: "TEXT", help: "a description (2.55+)" },
    },
    async run(ctx) {
      const helpFor = "flavor create";
      const ram = integerOption(ctx.options.ram, "ram", helpFor);
      const vcpus = integerOption(ctx.options.vcpus, "vcpus", helpFor);
      if (ram === undefined) throw new UsageError("--ram is required", helpFor);
      if (vcpus === undefined) throw new UsageError("--vcpus is required", helpFor);
      const ephemeral = integerOption(ctx.options.ephemeral, "ephemeral", helpFor);
      const swap = integerOption(ctx.options.swap, "swap", helpFor);
      const flavor = await (await ctx.client()).flavors.create({
        name: ctx.args[0] as string,
        ram,
        vcpus,
        disk: integerOption(ctx.options.disk, "disk", helpFor) ?? 0,
        ...(ctx.options.id ? { id: ctx.options.id as string } : {}),
        ...(ephemeral !== undefined ? { "OS-FLV-EXT-DATA:ephemeral": ephemeral } : {}),
        ...(swap !== undefined ? { swap } : {}),
        ...(ctx.options.private ? { "os-flavor-access:is_public": false } : {}),
        ...(ctx.options.description !== undefined ? { description: ctx.options.description as string } : {}),
      });
      ctx.out.show(flavor);
    },
  },
  {
    resource: "flavor",
    action: "delete",
    summary: "delete flavors, by name or ID (admin)",
    args: [{ name: "flavor", variadic: true }],
    async run(ctx) {
      const client = await ctx.client();
      for (const nameOrId of ctx.args) {
        const flavor = await findFlavor(client, nameOrId);
        await client.flavors.delete(flavor.id);
        ctx.out.note(`Flavor ${flavor.name} (${flavor.id}) deleted.`);
      }
    },
  },
];

const KEYPAIR_COLUMNS: Column<KeyPairSummary>[] = [
  { header: "Name", value: (k) => k.name },
  { header: "Fingerprint", value: (k) => k.fingerprint },
  { header: "Type", value: (k) => k.type },
];

/** `nova keypair ...`: list, show, create (import or generate), delete. */
export const keypairCommands: CommandSpec[] = [
  {
    resource: "keypair",
    action: "list",
    summary: "list your key pairs",
    async run(ctx) {
      const keypairs: KeyPairSummary[] = [];
      for await (const k of (await ctx.client()).keypairs.list()) keypairs.push(k);
      ctx.out.list(keypairs, KEYPAIR_COLUMNS);
    },
  },
  {
    resource: "keypair",
    action: "show",
    summary: "show a key pair",
    args: [{ name: "name" }],
    async run(ctx) {
      ctx.out.show(await (await ctx.client()).keypairs.get(ctx.args[0] as string));
    },
  },
  {
    resource: "keypair",
    action: "create",
    summary: "import a public key, or have one generated (before 2.92) and print its private key",
    args: [{ name: "name" }],
    options: {
      "public-key": { type: "string", value: "FILE", help: "the public key file to import" },
      "private-key": {
        type: "string",
        value: "FILE",
        help: "save the generated private key here (mode 0600) instead of printing it",
      },
      type: { type: "string", value: "ssh|x509", help: "the key type (2.2+, default ssh)" },
    },
    async run(ctx) {
      const helpFor = "keypair create";
      const { type } = ctx.options as Record<string, string | undefined>;
      if (type !== undefined && type !== "ssh" && type !== "x509") {
        throw new UsageError(`--type takes ssh or x509, got ${type}`, helpFor);
      }
      const publicKeyFile = ctx.options["public-key"] as string | undefined;
      const privateKeyFile = ctx.options["private-key"] as string | undefined;
      if (publicKeyFile && privateKeyFile) {
        throw new UsageError("--private-key is for generated keys: not with --public-key", helpFor);
      }
      let publicKey: string | undefined;
      if (publicKeyFile) {
        try {
          publicKey = (await readFile(publicKeyFile, "utf8")).trim();
        } catch (error) {
          throw new UsageError(`cannot read ${publicKeyFile}: ${(error as Error).message}`, helpFor);
        }
      }
      const created = await (await ctx.client()).keypairs.create({
        name: ctx.args[0] as string,
        ...(publicKey !== undefined ? { public_key: publicKey } : {}),
        ...(type ? { type } : {}),
      });
      const privateKey = (created as { private_key?: string }).private_key;
      if (privateKey && privateKeyFile) {
        await writeFile(privateKeyFile, privateKey, { mode: 0o600 });
        ctx.out.note(`Private key saved to ${privateKeyFile}.`);
      }
      if (privateKey && !privateKeyFile && ctx.out.format === "table") {
        // As openstackclient: the generated private key, and nothing else, so `> key.pem` keeps it.
        ctx.stdout.write(privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`);
        return;
      }
      if (privateKeyFile) {
        const { private_key: _dropped, ...rest } = created as { private_key?: string };
        ctx.out.show(rest);
        return;
      }
      ctx.out.show(created);
    },
  },
  {
    resource: "keypair",
    action: "delete",
    summary: "delete key pairs",
    args: [{ name: "name", variadic: true }],
    async run(ctx) {
      const client = await ctx.client();
      for (const name of ctx.args) {
        await client.keypairs.delete(name);
        ctx.out.note(`Key pair ${name} deleted.`);
      }
    },
  },
];
