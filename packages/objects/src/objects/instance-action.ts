import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** InstanceAction 1.2: one user-visible operation on an instance (create, delete, reboot, ...). */
export const InstanceActionCodec = defineObject("InstanceAction", "1.2", {
  id: f.int(),
  action: f.nullable(f.string()),
  instance_uuid: f.nullable(f.uuid()),
  request_id: f.nullable(f.string()),
  user_id: f.nullable(f.string()),
  project_id: f.nullable(f.string()),
  start_time: f.nullable(f.dateTime()),
  finish_time: f.nullable(f.dateTime()),
  message: f.nullable(f.string()),
  ...persistentFields,
});

/** An instance action. */
export type InstanceAction = ObjectOf<typeof InstanceActionCodec.fields>;

/** InstanceActionList 1.1. */
export const InstanceActionListCodec = defineObjectList("InstanceActionList", "1.1", InstanceActionCodec);

/** InstanceActionEvent 1.4: one step of an action (compute__do_build_and_run_instance, ...). */
export const InstanceActionEventCodec = defineObject("InstanceActionEvent", "1.4", {
  id: f.int(),
  event: f.nullable(f.string()),
  action_id: f.nullable(f.int()),
  start_time: f.nullable(f.dateTime()),
  finish_time: f.nullable(f.dateTime()),
  result: f.nullable(f.string()),
  traceback: f.nullable(f.string()),
  host: f.nullable(f.string()),
  details: f.nullable(f.string()),
  ...persistentFields,
});

/** An instance action event. */
export type InstanceActionEvent = ObjectOf<typeof InstanceActionEventCodec.fields>;

/** InstanceActionEventList 1.1. */
export const InstanceActionEventListCodec = defineObjectList(
  "InstanceActionEventList",
  "1.1",
  InstanceActionEventCodec,
);
