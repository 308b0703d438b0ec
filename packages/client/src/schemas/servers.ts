import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { linkSchema } from "./link.js";
import {
  booleanParam,
  consoleOutputLengthParam,
  descriptionParam,
  flavorRefParam,
  imageRefParam,
  metadataParam,
  nameParam,
  positiveIntegerParam,
  uuidPattern,
} from "./parameter-types.js";

const networkItem = z.strictObject({
  fixed_ip: z.string().optional(),
  port: z.string().regex(uuidPattern).nullable().optional(),
  uuid: z.string().optional(),
  tag: z.string().max(60).optional(),
});

const createServerBase = {
  name: nameParam,
  imageRef: imageRefParam.optional(),
  flavorRef: flavorRefParam,
  adminPass: z.string().optional(),
  metadata: metadataParam.optional(),
  networks: z.union([z.array(networkItem), z.enum(["auto", "none"])]).optional(),
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
  user_data: z.string().max(65535).optional(),
};

const hintsSchema = z.looseObject({});

function createEnvelope<T extends z.ZodType>(server: T) {
  return z.strictObject({
    server,
    "os:scheduler_hints": hintsSchema.optional(),
    "OS-SCH-HNT:scheduler_hints": hintsSchema.optional(),
  });
}

/** `POST /servers` body at 2.1 .. 2.18. */
export const createServerRequestSchemaV21 = createEnvelope(z.strictObject(createServerBase));
/** `POST /servers` body at 2.19 .. 2.51 (adds `description`). */
export const createServerRequestSchemaV219 = createEnvelope(
  z.strictObject({ ...createServerBase, description: descriptionParam.optional() }),
);
/** `POST /servers` body from 2.52 (adds `tags`). */
export const createServerRequestSchemaV252 = createEnvelope(
  z.strictObject({
    ...createServerBase,
    description: descriptionParam.optional(),
    tags: z
      .array(
        z
          .string()
          .min(1)
          .max(60)
          .regex(/^[^,/]*$/),
      )
      .max(50)
      .optional(),
  }),
);

/** The `POST /servers` body schema Nova applies at a microversion. */
export function createServerRequestSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.52")) return createServerRequestSchemaV252;
  if (version.atLeast("2.19")) return createServerRequestSchemaV219;
  return createServerRequestSchemaV21;
}

/** `POST /servers` body (the newest shape this SDK knows; older microversions accept a subset). */
export type CreateServerRequest = z.input<typeof createServerRequestSchemaV252>;

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
export type CreateServerResponse = z.infer<typeof createServerResponseSchema>;

/** One entry of `GET /servers`. */
export const serverSummarySchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  links: z.array(linkSchema),
});
/** One entry of `GET /servers`. */
export type ServerSummary = z.infer<typeof serverSummarySchema>;

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
  progress: z.number().optional(),
  fault: serverFaultSchema.optional(),
  "OS-EXT-AZ:availability_zone": z.string(),
  config_drive: z.string(),
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
});
/** A server in detail. */
export type Server = z.infer<typeof serverSchema>;

/** `GET /servers/{id}` response. */
export const showServerResponseSchema = z.object({ server: serverSchema });

/** `GET /servers` response. */
export const listServersResponseSchema = z.object({
  servers: z.array(serverSummarySchema),
  servers_links: z.array(linkSchema).optional(),
});
/** `GET /servers` response. */
export type ListServersResponse = z.infer<typeof listServersResponseSchema>;

/** `GET /servers/detail` response. */
export const listServersDetailResponseSchema = z.object({
  servers: z.array(serverSchema),
  servers_links: z.array(linkSchema).optional(),
});
/** `GET /servers/detail` response. */
export type ListServersDetailResponse = z.infer<typeof listServersDetailResponseSchema>;

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
