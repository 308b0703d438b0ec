import { z } from "zod";
import { flavorRefParam, fqdnParam } from "./parameter-types.js";

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
