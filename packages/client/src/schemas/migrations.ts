import { z } from "zod";
import { booleanParam, flavorRefParam, fqdnParam } from "./parameter-types.js";

/** `POST /servers/{id}/action` resize (nova/api/openstack/compute/schemas/servers.py `resize`). */
export const resizeActionSchema = z.strictObject({
  resize: z.strictObject({
    flavorRef: flavorRefParam,
    "OS-DCF:diskConfig": z.enum(["AUTO", "MANUAL"]).optional(),
  }),
});

/** `POST /servers/{id}/action` migrate before 2.56: no arguments. */
export const migrateActionSchema = z.strictObject({ migrate: z.null() });

/** `POST /servers/{id}/action` migrate from 2.56: an optional target host (schemas/migrate_server.py). */
export const migrateActionSchemaV256 = z.strictObject({
  migrate: z.union([z.strictObject({ host: z.union([fqdnParam, z.null()]).optional() }), z.null()]),
});

/** `POST /servers/{id}/action` confirmResize and revertResize: no arguments. */
export const confirmResizeActionSchema = z.strictObject({ confirmResize: z.null() });

/** See {@link confirmResizeActionSchema}. */
export const revertResizeActionSchema = z.strictObject({ revertResize: z.null() });

const liveHost = z.union([fqdnParam, z.null()]);

/** `os-migrateLive` before 2.25: block_migration, disk_over_commit and host all required (migrate_server.py). */
export const migrateLiveActionSchema = z.strictObject({
  "os-migrateLive": z.strictObject({
    block_migration: booleanParam,
    disk_over_commit: booleanParam,
    host: liveHost,
  }),
});

/** `os-migrateLive` from 2.25 (and again from 2.68): disk_over_commit gone, block_migration may be `auto`. */
export const migrateLiveActionSchemaV225 = z.strictObject({
  "os-migrateLive": z.strictObject({
    block_migration: z.union([booleanParam, z.literal("auto")]),
    host: liveHost,
  }),
});

/** `os-migrateLive` from 2.30 to 2.67: an optional `force` (skip the scheduler's filters for `host`). */
export const migrateLiveActionSchemaV230 = z.strictObject({
  "os-migrateLive": z.strictObject({
    block_migration: z.union([booleanParam, z.literal("auto")]),
    host: liveHost,
    force: booleanParam.optional(),
  }),
});

/** `POST /servers/{id}/migrations/{migration_id}/action` force_complete (2.22, server_migrations.py). */
export const forceCompleteActionSchema = z.strictObject({ force_complete: z.null() });

/** `evacuate` before 2.14 (schemas/evacuate.py): onSharedStorage required. */
export const evacuateActionSchema = z.strictObject({
  evacuate: z.strictObject({
    host: fqdnParam.optional(),
    onSharedStorage: booleanParam,
    adminPass: z.string().optional(),
  }),
});

/** `evacuate` from 2.14 (and again from 2.68): no onSharedStorage. */
export const evacuateActionSchemaV214 = z.strictObject({
  evacuate: z.strictObject({ host: fqdnParam.optional(), adminPass: z.string().optional() }),
});

/** `evacuate` from 2.29 to 2.67: an optional `force`. */
export const evacuateActionSchemaV229 = z.strictObject({
  evacuate: z.strictObject({
    host: fqdnParam.optional(),
    adminPass: z.string().optional(),
    force: booleanParam.optional(),
  }),
});
