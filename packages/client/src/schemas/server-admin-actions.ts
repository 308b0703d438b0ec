import { z } from "zod";

/** The states `os-resetState` may set (nova/api/openstack/compute/schemas/reset_server_state.py). */
export const RESET_STATES = ["active", "error"] as const;

/** `POST /servers/{id}/action` with `os-resetState` (admin). */
export const resetStateActionSchema = z.strictObject({
  "os-resetState": z.strictObject({ state: z.enum(RESET_STATES) }),
});
