import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import {
  booleanParam,
  descriptionParam,
  hostnameParam,
  integer,
  isPythonBase64,
  isUuidLike,
  metadataParam,
  nameParam,
  oneOf,
} from "./parameter-types.js";

// Nova's request schemas of rebuild, shelve, rescue and snapshots (nova/api/openstack/compute/schemas/
// servers.py, shelve.py, rescue.py, create_backup.py), one per microversion range where they change.

/** Nova's `image_id`: a uuid. */
const imageIdParam = z.string().refine(isUuidLike, { error: "format:uuid" });

const base64Text = z.string().refine((value) => isPythonBase64(value), { error: "format:base64" });

/** Nova's `non_negative_integer`: an integer >= 0 or a string of digits. */
const nonNegativeIntegerParam = z.union([
  integer().min(0),
  z
    .string()
    .min(1)
    .regex(/^[0-9]*$/),
]);

const rebuildBase = {
  name: nameParam.optional(),
  imageRef: imageIdParam,
  adminPass: z.string().optional(),
  metadata: metadataParam.optional(),
  preserve_ephemeral: booleanParam.optional(),
  "OS-DCF:diskConfig": z.enum(["AUTO", "MANUAL"]).optional(),
  accessIPv4: z.ipv4().optional(),
  accessIPv6: z.ipv6().optional(),
  personality: z
    .array(z.strictObject({ path: z.string().optional(), contents: base64Text.optional() }))
    .optional(),
};
const rebuildV219 = { ...rebuildBase, description: descriptionParam.optional() };
const rebuildV254 = { ...rebuildV219, key_name: oneOf(z.string().min(1).max(255), z.null()).optional() };
// 2.57: personality goes, a nullable user_data (null resets it) comes.
const { personality: _personality, ...rebuildV254NoPersonality } = rebuildV254;
const rebuildV257 = {
  ...rebuildV254NoPersonality,
  user_data: oneOf(base64Text.max(65535), z.null()).optional(),
};
const rebuildV263 = {
  ...rebuildV257,
  trusted_image_certificates: oneOf(z.array(z.string().min(1)).min(1).max(50), z.null()).optional(),
};
const rebuildV290 = { ...rebuildV263, hostname: hostnameParam.optional() };

const rebuildEnvelope = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ rebuild: z.strictObject(shape) });

/** `rebuild` at 2.1 .. 2.18. */
export const rebuildActionSchemaV21 = rebuildEnvelope(rebuildBase);
/** `rebuild` at 2.19 .. 2.53 (description). */
export const rebuildActionSchemaV219 = rebuildEnvelope(rebuildV219);
/** `rebuild` at 2.54 .. 2.56 (key_name). */
export const rebuildActionSchemaV254 = rebuildEnvelope(rebuildV254);
/** `rebuild` at 2.57 .. 2.62 (user_data, no personality). */
export const rebuildActionSchemaV257 = rebuildEnvelope(rebuildV257);
/** `rebuild` at 2.63 .. 2.89 (trusted_image_certificates). */
export const rebuildActionSchemaV263 = rebuildEnvelope(rebuildV263);
/** `rebuild` from 2.90 (hostname). */
export const rebuildActionSchemaV290 = rebuildEnvelope(rebuildV290);

/** The `rebuild` schema of a microversion. */
export function rebuildActionSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.90")) return rebuildActionSchemaV290;
  if (version.atLeast("2.63")) return rebuildActionSchemaV263;
  if (version.atLeast("2.57")) return rebuildActionSchemaV257;
  if (version.atLeast("2.54")) return rebuildActionSchemaV254;
  if (version.atLeast("2.19")) return rebuildActionSchemaV219;
  return rebuildActionSchemaV21;
}

/** A `rebuild` body (the newest shape). */
export type RebuildAction = z.input<typeof rebuildActionSchemaV290>;

/** `createImage`: a name and optional image metadata. */
export const createImageActionSchema = z.strictObject({
  createImage: z.strictObject({ name: nameParam, metadata: metadataParam.optional() }),
});

/** `createBackup`: a name, a backup type (`daily`, `weekly`, ...) and how many of that type to keep. */
export const createBackupActionSchema = z.strictObject({
  createBackup: z.strictObject({
    name: nameParam,
    backup_type: z.string(),
    rotation: nonNegativeIntegerParam,
    metadata: metadataParam.optional(),
  }),
});

/** `rescue`: null, or an admin password and a rescue image. */
export const rescueActionSchema = z.strictObject({
  rescue: z.union([
    z.strictObject({ adminPass: z.string().optional(), rescue_image_ref: imageIdParam.optional() }),
    z.null(),
  ]),
});

/** `unshelve` at 2.77 .. 2.90: null or `{"availability_zone": name}` (an empty object is refused). */
export const unshelveActionSchemaV277 = z.strictObject({
  unshelve: z.union([z.strictObject({ availability_zone: nameParam }), z.null()]),
});

/** `unshelve` from 2.91: null, or an object with an availability zone (null unpins it) and/or a host. */
export const unshelveActionSchemaV291 = z.strictObject({
  unshelve: oneOf(
    z.strictObject({
      availability_zone: oneOf(z.null(), z.string()).optional(),
      host: z.string().optional(),
    }),
    z.null(),
  ),
});

/** The `unshelve` schema of a microversion; before 2.77 Nova validates no body. */
export function unshelveActionSchemaFor(version: ApiVersion) {
  if (version.atLeast("2.91")) return unshelveActionSchemaV291;
  if (version.atLeast("2.77")) return unshelveActionSchemaV277;
  return z.strictObject({ unshelve: z.unknown() });
}

/** The `rebuild` response from 2.1: the server as shown, with its new admin password when one was set. */
export const rebuildResponseSchema = z.object({
  server: z.looseObject({ id: z.string(), adminPass: z.string().optional() }),
});

/** The `createImage` and `createBackup` response body from 2.45 (before, only the Location header). */
export const createImageResponseSchema = z.object({ image_id: z.string() });

/** The `rescue` response: the admin password of the rescue guest (when instance passwords are enabled). */
export const rescueResponseSchema = z.object({ adminPass: z.string() });
