import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import type { Strict } from "../strict.js";
import { linkSchema } from "./link.js";
import {
  booleanParam,
  consoleOutputLengthParam,
  descriptionParam,
  flavorRefParam,
  fqdnParam,
  hostnameParam,
  imageRefParam,
  ipAddressParam,
  isPythonBase64,
  metadataParam,
  nameParam,
  oneOf,
  positiveIntegerParam,
  tagParam,
  uuidParam,
} from "./parameter-types.js";

// Nova's server create schemas (nova/api/openstack/compute/schemas/servers.py), one per microversion range.
// personality, block_device_mapping(_v2) and trusted_image_certificates are not served by this control plane
// and stay refused as unexpected properties rather than accepted and ignored.

/** One `networks` entry; `uuid` is any string before 2.37 and a uuid from 2.37; `tag` in 2.32-2.36 and from 2.42. */
function networkItem(options: { uuidFormat: boolean; tag: boolean }) {
  return z.strictObject({
    fixed_ip: ipAddressParam.optional(),
    port: oneOf(uuidParam, z.null()).optional(),
    uuid: (options.uuidFormat ? uuidParam : z.string()).optional(),
    ...(options.tag ? { tag: tagParam.optional() } : {}),
  });
}

/** `user_data`: base64 text of at most 65535 characters. */
const userDataParam = z
  .string()
  .max(65535)
  .refine((value) => isPythonBase64(value), { error: "format:base64" });

const createServerBase = {
  name: nameParam,
  imageRef: imageRefParam.optional(),
  flavorRef: flavorRefParam,
  adminPass: z.string().optional(),
  metadata: metadataParam.optional(),
  networks: z.array(networkItem({ uuidFormat: false, tag: false })).optional(),
  "OS-DCF:diskConfig": z.enum(["AUTO", "MANUAL"]).optional(),
  accessIPv4: z.ipv4().optional(),
  accessIPv6: z.ipv6().optional(),
  availability_zone: nameParam.optional(),
  config_drive: booleanParam.optional(),
  key_name: nameParam.optional(),
  min_count: positiveIntegerParam.optional(),
  max_count: positiveIntegerParam.optional(),
  return_reservation_id: booleanParam.optional(),
  security_groups: z.array(z.strictObject({ name: nameParam.optional() })).optional(),
  user_data: userDataParam.optional(),
};

const hintsSchema = z.looseObject({});

function createEnvelope<T extends z.ZodRawShape>(server: T) {
  return z.strictObject({
    server: z.strictObject(server),
    "os:scheduler_hints": hintsSchema.optional(),
    "OS-SCH-HNT:scheduler_hints": hintsSchema.optional(),
  });
}

/** From 2.37 `networks` is required: a list (uuids in uuid format) or "auto" / "none". */
function requiredNetworks(tag: boolean) {
  return oneOf(z.array(networkItem({ uuidFormat: true, tag })), z.enum(["none", "auto"]));
}

const v219 = { ...createServerBase, description: descriptionParam.optional() };
const v232 = { ...v219, networks: z.array(networkItem({ uuidFormat: false, tag: true })).optional() };
const v237 = { ...v232, networks: requiredNetworks(false) };
const v242 = { ...v237, networks: requiredNetworks(true) };
const v252 = { ...v242, tags: z.array(tagParam).max(50).optional() };
const v274 = { ...v252, host: fqdnParam.optional(), hypervisor_hostname: fqdnParam.optional() };
const v290 = { ...v274, hostname: hostnameParam.optional() };

/** `POST /servers` body at 2.1 .. 2.18. */
export const createServerRequestSchemaV21 = createEnvelope(createServerBase);
/** `POST /servers` body at 2.19 .. 2.31 (adds `description`). */
export const createServerRequestSchemaV219 = createEnvelope(v219);
/** `POST /servers` body at 2.32 .. 2.36 (adds a `tag` to each network). */
export const createServerRequestSchemaV232 = createEnvelope(v232);
/** `POST /servers` body at 2.37 .. 2.41 (`networks` required: a list of uuids or "auto"/"none"; no tags). */
export const createServerRequestSchemaV237 = createEnvelope(v237);
/** `POST /servers` body at 2.42 .. 2.51 (network tags again). */
export const createServerRequestSchemaV242 = createEnvelope(v242);
/** `POST /servers` body at 2.52 .. 2.73 (adds `tags`). */
export const createServerRequestSchemaV252 = createEnvelope(v252);
/** `POST /servers` body at 2.74 .. 2.89 (adds `host` and `hypervisor_hostname`). */
export const createServerRequestSchemaV274 = createEnvelope(v274);
/** `POST /servers` body from 2.90 (adds `hostname`). */
export const createServerRequestSchemaV290 = createEnvelope(v290);

/** The `POST /servers` body schema Nova applies at a microversion. */
export function createServerRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.90")) return createServerRequestSchemaV290;
  if (version.atLeast("2.74")) return createServerRequestSchemaV274;
  if (version.atLeast("2.52")) return createServerRequestSchemaV252;
  if (version.atLeast("2.42")) return createServerRequestSchemaV242;
  if (version.atLeast("2.37")) return createServerRequestSchemaV237;
  if (version.atLeast("2.32")) return createServerRequestSchemaV232;
  if (version.atLeast("2.19")) return createServerRequestSchemaV219;
  return createServerRequestSchemaV21;
}

type NewestCreateServerRequest = z.input<typeof createServerRequestSchemaV290>;
/**
 * `POST /servers` body (the newest shape this SDK knows; older microversions accept a subset). `networks` is
 * optional here because Nova requires it only from 2.37.
 */
export type CreateServerRequest = Omit<NewestCreateServerRequest, "server"> & {
  server: Omit<NewestCreateServerRequest["server"], "networks"> &
    Partial<Pick<NewestCreateServerRequest["server"], "networks">>;
};

/** Reboot types Nova accepts (case variants included, as Nova's schema lists them). */
export const REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"] as const;

/** `POST /servers/{id}/action` with `reboot`. */
export const rebootActionSchema = z.strictObject({
  reboot: z.strictObject({ type: z.enum(REBOOT_TYPES) }),
});
/** `POST /servers/{id}/action` with `os-stop` (the value is ignored by Nova, null by convention). */
export const stopActionSchema = z.strictObject({ "os-stop": z.unknown() });
/** `POST /servers/{id}/action` with `os-start`. */
export const startActionSchema = z.strictObject({ "os-start": z.unknown() });
/** `POST /servers/{id}/action` with `pause`. */
export const pauseActionSchema = z.strictObject({ pause: z.unknown() });
/** `POST /servers/{id}/action` with `unpause`. */
export const unpauseActionSchema = z.strictObject({ unpause: z.unknown() });

/** `POST /servers/{id}/action` with `os-getConsoleOutput` (`length`: lines from the end of the log). */
export const getConsoleOutputActionSchema = z.strictObject({
  "os-getConsoleOutput": z.strictObject({ length: consoleOutputLengthParam.optional() }),
});
/** `os-getConsoleOutput` 200 response: the guest's console log. */
export const consoleOutputResponseSchema = z.object({ output: z.string() });

/** The server statuses Nova derives from vm_state and task_state. */
export const SERVER_STATUSES = [
  "ACTIVE",
  "BUILD",
  "DELETED",
  "ERROR",
  "HARD_REBOOT",
  "MIGRATING",
  "PASSWORD",
  "PAUSED",
  "REBOOT",
  "REBUILD",
  "RESCUE",
  "RESIZE",
  "REVERT_RESIZE",
  "SHELVED",
  "SHELVED_OFFLOADED",
  "SHUTOFF",
  "SOFT_DELETED",
  "SUSPENDED",
  "UNKNOWN",
  "VERIFY_RESIZE",
] as const;
/** A server status as the API shows it. */
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/** `POST /servers` 202 response. */
export const createServerResponseSchema = z.object({
  server: z.looseObject({
    id: z.string(),
    links: z.array(linkSchema),
    "OS-DCF:diskConfig": z.string(),
    security_groups: z.array(z.looseObject({ name: z.string() })).optional(),
    adminPass: z.string().optional(),
  }),
});
/** `POST /servers` response. */
export type CreateServerResponse = Strict<z.infer<typeof createServerResponseSchema>>;

/** One entry of `GET /servers`. */
export const serverSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  links: z.array(linkSchema),
});
/** One entry of `GET /servers`. */
export type ServerSummary = Strict<z.infer<typeof serverSummarySchema>>;

const idWithLinks = z.looseObject({ id: z.string(), links: z.array(linkSchema) });
const embeddedFlavor = z.looseObject({
  vcpus: z.number(),
  ram: z.number(),
  disk: z.number(),
  ephemeral: z.number(),
  swap: z.number(),
  original_name: z.string(),
  extra_specs: z.record(z.string(), z.string()).optional(),
});

/** A server fault, shown while the server is ERROR or DELETED. */
export const serverFaultSchema = z.looseObject({
  code: z.number(),
  created: z.string(),
  message: z.string(),
  details: z.string().optional(),
});

/** A server in detail (`GET /servers/{id}`, `GET /servers/detail`); fields vary with the microversion. */
export const serverSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(SERVER_STATUSES),
  tenant_id: z.string(),
  user_id: z.string(),
  metadata: z.record(z.string(), z.string()),
  hostId: z.string(),
  image: z.union([idWithLinks, z.literal("")]),
  flavor: z.union([idWithLinks, embeddedFlavor]),
  created: z.string(),
  updated: z.string(),
  addresses: z.record(z.string(), z.array(z.looseObject({ addr: z.string(), version: z.number() }))),
  accessIPv4: z.string(),
  accessIPv6: z.string(),
  links: z.array(linkSchema),
  "OS-DCF:diskConfig": z.string(),
  // Nova shows the instance's columns as they are: null for an instance whose builder never set them.
  progress: z.number().nullable().optional(),
  fault: serverFaultSchema.optional(),
  "OS-EXT-AZ:availability_zone": z.string(),
  config_drive: z.string().nullable(),
  key_name: z.string().nullable(),
  "OS-SRV-USG:launched_at": z.string().nullable(),
  "OS-SRV-USG:terminated_at": z.string().nullable(),
  "OS-EXT-STS:task_state": z.string().nullable(),
  "OS-EXT-STS:vm_state": z.string(),
  "OS-EXT-STS:power_state": z.number(),
  "os-extended-volumes:volumes_attached": z.array(z.looseObject({ id: z.string() })),
  security_groups: z.array(z.looseObject({ name: z.string() })).optional(),
  locked: z.boolean().optional(),
  description: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  // Admins (os-extended-server-attributes), the 2.3 ones after the first three.
  "OS-EXT-SRV-ATTR:host": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:instance_name": z.string().optional(),
  "OS-EXT-SRV-ATTR:hypervisor_hostname": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:reservation_id": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:launch_index": z.number().nullable().optional(),
  "OS-EXT-SRV-ATTR:hostname": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:kernel_id": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:ramdisk_id": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:root_device_name": z.string().nullable().optional(),
  "OS-EXT-SRV-ATTR:user_data": z.string().nullable().optional(),
  /** 2.16+: UP, DOWN, MAINTENANCE, UNKNOWN or "" for the server's host. */
  host_status: z.string().optional(),
  /** 2.63+. */
  trusted_image_certificates: z.array(z.string()).nullable().optional(),
  /** 2.71+: the server group the server is in. */
  server_groups: z.array(z.string()).optional(),
  /** 2.73+. */
  locked_reason: z.string().nullable().optional(),
});
/** A server in detail. */
export type Server = Strict<z.infer<typeof serverSchema>>;
/** The instance fault a server in ERROR shows. */
export type ServerFault = Strict<z.infer<typeof serverFaultSchema>>;

/** `GET /servers/{id}` response. */
export const showServerResponseSchema = z.object({ server: serverSchema });

/** `GET /servers` response. */
export const listServersResponseSchema = z.object({
  servers: z.array(serverSummarySchema),
  servers_links: z.array(linkSchema).optional(),
});
/** `GET /servers` response. */
export type ListServersResponse = Strict<z.infer<typeof listServersResponseSchema>>;

/** `GET /servers/detail` response. */
export const listServersDetailResponseSchema = z.object({
  servers: z.array(serverSchema),
  servers_links: z.array(linkSchema).optional(),
});
/** `GET /servers/detail` response. */
export type ListServersDetailResponse = Strict<z.infer<typeof listServersDetailResponseSchema>>;

/** Query filters of `GET /servers` that Nova allows non-admins (plus paging and sorting). */
export interface ServerListQuery {
  /** A regular expression matched against server names. */
  name?: string;
  /** Only servers with this status (`ACTIVE`, `ERROR`, ...). */
  status?: ServerStatus | ServerStatus[];
  /** A flavor id. */
  flavor?: string;
  /** An image id. */
  image?: string;
  /** ISO 8601 time: only servers changed since then (deleted ones included). */
  "changes-since"?: string;
  /** ISO 8601 time (2.66+): only servers changed before then. */
  "changes-before"?: string;
  /** Only servers of this multiple-create request. */
  reservation_id?: string;
  /** Admin only: servers of every project. */
  all_tenants?: boolean;
  /** The most servers in one page. */
  limit?: number;
  /** The id of the last server of the previous page. */
  marker?: string;
  /** Sort key (`created_at` by default). */
  sort_key?: string;
  /** Sort direction (`desc` by default). */
  sort_dir?: "asc" | "desc";
}
