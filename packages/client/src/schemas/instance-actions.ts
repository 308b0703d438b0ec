import { z } from "zod";
import type { Strict } from "../strict.js";
import { linkSchema } from "./link.js";

/** One event of an instance action (traceback, host and details as policy and microversion allow). */
export const instanceActionEventSchema = z.looseObject({
  event: z.string(),
  start_time: z.string(),
  finish_time: z.string().nullable(),
  result: z.string().nullable(),
  traceback: z.string().nullable().optional(),
  host: z.string().nullable().optional(),
  hostId: z.string().optional(),
  details: z.string().nullable().optional(),
});

/** An instance action (`create`, `reboot`, ...); `events` in the show view only. */
export const instanceActionSchema = z.looseObject({
  action: z.string(),
  instance_uuid: z.string(),
  request_id: z.string(),
  user_id: z.string().nullable(),
  project_id: z.string().nullable(),
  start_time: z.string(),
  message: z.string().nullable(),
  updated_at: z.string().nullable().optional(),
  events: z.array(instanceActionEventSchema).optional(),
});
/** An instance action. */
export type InstanceAction = Strict<z.infer<typeof instanceActionSchema>>;

/** `GET /servers/{id}/os-instance-actions` response. */
export const listInstanceActionsResponseSchema = z.object({
  instanceActions: z.array(instanceActionSchema),
  links: z.array(linkSchema).optional(),
});

/** `GET /servers/{id}/os-instance-actions/{request_id}` response. */
export const showInstanceActionResponseSchema = z.object({ instanceAction: instanceActionSchema });
