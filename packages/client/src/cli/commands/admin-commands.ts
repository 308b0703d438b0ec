import type { Aggregate } from "../../schemas/aggregate-bodies.js";
import type { AvailabilityZone } from "../../schemas/availability-zones.js";
import type { Hypervisor } from "../../schemas/hypervisors.js";
import type { Service } from "../../schemas/services.js";
import type { CommandSpec } from "../command-spec.js";
import { findHypervisor } from "../find-resource.js";
import type { Column } from "../table.js";
import { UsageError } from "../usage-error.js";

const HYPERVISOR_COLUMNS: Column<Hypervisor>[] = [
  { header: "ID", value: (h) => h.id },
  { header: "Hypervisor Hostname", value: (h) => h.hypervisor_hostname },
  { header: "Hypervisor Type", value: (h) => h.hypervisor_type },
  { header: "Host IP", value: (h) => h.host_ip },
  { header: "State", value: (h) => h.state },
  { header: "Status", value: (h) => h.status },
];

const SERVICE_COLUMNS: Column<Service>[] = [
  { header: "ID", value: (s) => s.id },
  { header: "Binary", value: (s) => s.binary },
  { header: "Host", value: (s) => s.host },
  { header: "Zone", value: (s) => s.zone },
  { header: "Status", value: (s) => s.status },
  { header: "State", value: (s) => s.state },
  { header: "Updated At", value: (s) => s.updated_at },
  { header: "Disabled Reason", value: (s) => s.disabled_reason },
  { header: "Forced Down", value: (s) => s.forced_down },
];

const AGGREGATE_COLUMNS: Column<Aggregate>[] = [
  { header: "ID", value: (a) => a.id },
  { header: "Name", value: (a) => a.name },
  { header: "Availability Zone", value: (a) => a.availability_zone },
  { header: "Hosts", value: (a) => a.hosts },
  { header: "Metadata", value: (a) => a.metadata },
];

const ZONE_COLUMNS: Column<AvailabilityZone>[] = [
  { header: "Zone Name", value: (z) => z.zoneName },
  { header: "Zone Status", value: (z) => (z.zoneState.available ? "available" : "not available") },
];

/** The project of a token as noauth2 reads it (`user:project`), for `quota show` without `--project`. */
function projectOfNoauthToken(token: string | undefined): string | undefined {
  const parts = token?.split(":");
  return parts?.length === 2 && parts[1] ? parts[1] : undefined;
}

/** `nova hypervisor|service|quota|aggregate|availability-zone ...`: what operators look at. */
export const adminCommands: CommandSpec[] = [
  {
    resource: "hypervisor",
    action: "list",
    summary: "list hypervisors (compute nodes) in detail (admin)",
    async run(ctx) {
      const hypervisors: Hypervisor[] = [];
      for await (const h of (await ctx.client()).hypervisors.listDetail()) hypervisors.push(h);
      ctx.out.list(hypervisors, HYPERVISOR_COLUMNS);
    },
  },
  {
    resource: "hypervisor",
    action: "show",
    summary: "show a hypervisor, by ID or hostname (admin)",
    args: [{ name: "hypervisor" }],
    async run(ctx) {
      ctx.out.show(await findHypervisor(await ctx.client(), ctx.args[0] as string));
    },
  },
  {
    resource: "service",
    action: "list",
    summary: "list the control plane's services and whether they are up (admin)",
    options: {
      host: { type: "string", value: "HOST", help: "only this host's services" },
      binary: { type: "string", value: "BINARY", help: "only this binary (nova-compute, ...)" },
    },
    async run(ctx) {
      const services = await (await ctx.client()).services.list({
        ...(ctx.options.host ? { host: ctx.options.host as string } : {}),
        ...(ctx.options.binary ? { binary: ctx.options.binary as string } : {}),
      });
      ctx.out.list(services, SERVICE_COLUMNS);
    },
  },
  {
    resource: "quota",
    action: "show",
    summary: "show a project's quotas (default: the project you are in, when known)",
    options: {
      project: { type: "string", value: "PROJECT_ID", help: "the project (required with Keystone names)" },
      user: { type: "string", value: "USER_ID", help: "one user's quotas in the project" },
      default: { type: "boolean", help: "the defaults new projects get" },
    },
    async run(ctx) {
      const connection = ctx.connection();
      const project =
        (ctx.options.project as string | undefined) ??
        connection.keystone?.projectId ??
        projectOfNoauthToken(connection.token);
      if (!project) throw new UsageError("give --project PROJECT_ID", "quota show");
      const quotas = (await ctx.client()).quotas;
      ctx.out.show(
        ctx.options.default
          ? await quotas.getDefaults(project)
          : await quotas.get(project, ctx.options.user ? { user_id: ctx.options.user as string } : {}),
      );
    },
  },
  {
    resource: "aggregate",
    action: "list",
    summary: "list host aggregates (admin)",
    async run(ctx) {
      ctx.out.list(await (await ctx.client()).aggregates.list(), AGGREGATE_COLUMNS);
    },
  },
  {
    resource: "availability-zone",
    action: "list",
    summary: "list availability zones",
    async run(ctx) {
      ctx.out.list(await (await ctx.client()).availabilityZones.list(), ZONE_COLUMNS);
    },
  },
];
