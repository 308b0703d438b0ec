import { z } from "zod";
import type { ApiVersion } from "../api-version.js";
import { booleanParam, integer, nameParam, validDescriptionPattern } from "./parameter-types.js";

// Nova's flavor management request schemas (nova/api/openstack/compute/schemas/flavor_manage.py,
// flavors_extraspecs.py, flavor_access.py).

/** nova/db/constants.py MAX_INT, the largest flavor size the database takes. */
export const FLAVOR_MAX_INT = 0x7fffffff;
/** nova/db/constants.py SQL_SP_FLOAT_MAX, the largest rxtx_factor. */
export const FLAVOR_MAX_RXTX_FACTOR = 3.40282e38;

/**
 * Nova's `flavor_param_positive` / `flavor_param_non_negative`: an integer or a string of digits, from
 * `min` to MAX_INT (Nova's validator applies the bounds to digit strings too).
 */
function flavorSize(min: number) {
  return z.union([
    integer().min(min).max(FLAVOR_MAX_INT),
    z
      .string()
      .regex(/^[0-9]+$/)
      .refine((v) => Number(v) >= min, {
        error: (i) => `${Number(i.input)} is less than the minimum of ${min}`,
      })
      .refine((v) => Number(v) <= FLAVOR_MAX_INT, {
        error: (i) => `${Number(i.input)} is greater than the maximum of ${FLAVOR_MAX_INT}`,
      }),
  ]);
}

/** A flavor id as given: a string of `[a-zA-Z0-9. _-]` without outer spaces, any number, or null. */
const flavorIdParam = z.union([
  z
    .string()
    .min(1)
    .max(255)
    .regex(/^(?! )[a-zA-Z0-9. _-]+(?<! )$/),
  z.number(),
  z.null(),
]);

/** Positive float, as a number or a decimal string. */
const rxtxFactorParam = z.union([
  z
    .number()
    // JSON schema's exclusiveMinimum, worded as Nova's validator words it.
    .refine((v) => v > 0, { error: (i) => `${i.input} is less than or equal to the minimum of 0` })
    .refine((v) => v <= FLAVOR_MAX_RXTX_FACTOR, {
      error: (i) => `${i.input} is greater than the maximum of ${FLAVOR_MAX_RXTX_FACTOR}`,
    }),
  z.string().regex(/^[0-9]+(\.[0-9]+)?$/),
]);

/** A flavor description (2.55): printable characters, up to 65535, or null. */
export const flavorDescriptionParam = z.union([
  z.string().max(65535).regex(validDescriptionPattern),
  z.null(),
]);

const createFields = {
  name: nameParam,
  id: flavorIdParam.optional(),
  ram: flavorSize(1),
  vcpus: flavorSize(1),
  disk: flavorSize(0),
  "OS-FLV-EXT-DATA:ephemeral": flavorSize(0).optional(),
  swap: flavorSize(0).optional(),
  rxtx_factor: rxtxFactorParam.optional(),
  "os-flavor-access:is_public": booleanParam.optional(),
};

/** `POST /flavors` from 2.1 to 2.54. */
export const createFlavorRequestSchemaV21 = z.strictObject({ flavor: z.strictObject(createFields) });

/** `POST /flavors` from 2.55: a description too. */
export const createFlavorRequestSchemaV255 = z.strictObject({
  flavor: z.strictObject({ ...createFields, description: flavorDescriptionParam.optional() }),
});

/** The create schema Nova applies at `version`. */
export function createFlavorRequestSchemaFor(version: ApiVersion) {
  return version.atLeast("2.55") ? createFlavorRequestSchemaV255 : createFlavorRequestSchemaV21;
}

/** `POST /flavors` body (the newest shape). */
export type CreateFlavorRequest = z.input<typeof createFlavorRequestSchemaV255>;

/** `PUT /flavors/{id}` (2.55): only the description. */
export const updateFlavorRequestSchema = z.strictObject({
  flavor: z.strictObject({ description: flavorDescriptionParam }),
});

/** Extra spec keys and values (Nova's metadata, with numbers allowed as values). */
export const extraSpecsParam = z.record(
  z.string().regex(/^[a-zA-Z0-9-_:. ]{1,255}$/),
  z.union([z.string().max(255), z.number()]),
);

/** `POST /flavors/{id}/os-extra_specs`. */
export const createExtraSpecsRequestSchema = z.strictObject({ extra_specs: extraSpecsParam });

/** `PUT /flavors/{id}/os-extra_specs/{key}`: exactly one key. */
export const updateExtraSpecRequestSchema = extraSpecsParam
  .refine((specs) => Object.keys(specs).length >= 1, {
    error: "{} does not have enough properties",
  })
  .refine((specs) => Object.keys(specs).length <= 1, {
    error: (i) => `${JSON.stringify(i.input)} has too many properties`,
  });

const tenantParam = z.string().min(1).max(255);

/** `addTenantAccess` action body. */
export const addTenantAccessRequestSchema = z.strictObject({
  addTenantAccess: z.strictObject({ tenant: tenantParam }),
});

/** `removeTenantAccess` action body. */
export const removeTenantAccessRequestSchema = z.strictObject({
  removeTenantAccess: z.strictObject({ tenant: tenantParam }),
});
