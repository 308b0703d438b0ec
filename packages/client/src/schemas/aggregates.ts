import { z } from "zod";
import { fqdnParam, nameParam, validDescriptionPattern, validNamePattern } from "./parameter-types.js";

// Nova's aggregate request schemas (nova/api/openstack/compute/schemas/aggregates.py), 2.1 onwards.

const AZ_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters except :.Can not start or end with whitespace.";
const NAME_SPACES_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character";

/** Nova's `az_name`: a name (printable, no leading or trailing space) without `:`. */
export const azNameParam = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => validNamePattern.test(v) && !v.includes(":"), { error: AZ_MESSAGE, params: { bare: true } });

/** Nova's `name_with_leading_trailing_spaces`: printable, with at least one non-space character. */
const nameWithSpacesParam = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => validDescriptionPattern.test(v) && v.trim() !== "", {
    error: NAME_SPACES_MESSAGE,
    params: { bare: true },
  });

/** Body of `POST /os-aggregates`. */
export const aggregateCreateBodySchema = z.strictObject({
  aggregate: z.strictObject({
    name: nameParam,
    availability_zone: z.union([azNameParam, z.null()]).optional(),
  }),
});

/** Body of `PUT /os-aggregates/{id}`: a new name and/or zone (at least one). */
export const aggregateUpdateBodySchema = z.strictObject({
  aggregate: z
    .strictObject({
      name: nameWithSpacesParam.optional(),
      availability_zone: z.union([azNameParam, z.null()]).optional(),
    })
    .refine((a) => a.name !== undefined || a.availability_zone !== undefined, {
      error: "At least one of 'name' or 'availability_zone' is required",
    }),
});

/** Body of the `add_host` aggregate action. */
export const aggregateAddHostBodySchema = z.strictObject({ add_host: z.strictObject({ host: fqdnParam }) });

/** Body of the `remove_host` aggregate action. */
export const aggregateRemoveHostBodySchema = z.strictObject({
  remove_host: z.strictObject({ host: fqdnParam }),
});

/** Body of the `set_metadata` aggregate action: Nova's `metadata_with_null` (null deletes a key). */
export const aggregateSetMetadataBodySchema = z.strictObject({
  set_metadata: z.strictObject({
    metadata: z.record(
      z.string().regex(/^[a-zA-Z0-9-_:. ]{1,255}$/),
      z.union([z.string().max(255), z.null()]),
    ),
  }),
});
