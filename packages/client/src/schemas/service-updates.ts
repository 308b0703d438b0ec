import { z } from "zod";
import { booleanParam, fqdnParam } from "./parameter-types.js";

const disabledReason = z.string().min(1).max(255);

/** Body of the legacy `PUT /os-services/{enable,disable,disable-log-reason}` (2.1-2.10). */
export const serviceActionBodySchema = z.strictObject({
  host: fqdnParam,
  binary: z.string().min(1).max(255),
  disabled_reason: disabledReason.optional(),
});

/** Body of the legacy actions from 2.11, which add `force-down` and its `forced_down`. */
export const serviceActionBodySchemaV211 = serviceActionBodySchema.extend({
  forced_down: booleanParam.optional(),
});

/** Body of `PUT /os-services/{service_uuid}` (2.53): what to change on one service. */
export const serviceUpdateBodySchemaV253 = z.strictObject({
  status: z.enum(["enabled", "disabled"]).optional(),
  disabled_reason: disabledReason.optional(),
  forced_down: booleanParam.optional(),
});
