import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** InstanceFault 1.2: why an instance went to ERROR. */
export const InstanceFaultCodec = defineObject("InstanceFault", "1.2", {
  id: f.int(),
  instance_uuid: f.uuid(),
  code: f.int(),
  message: f.nullable(f.string()),
  details: f.nullable(f.string()),
  host: f.nullable(f.string()),
  ...persistentFields,
});

/** A fault recorded against an instance. */
export type InstanceFault = ObjectOf<typeof InstanceFaultCodec.fields>;

/** InstanceFaultList 1.2. */
export const InstanceFaultListCodec = defineObjectList("InstanceFaultList", "1.2", InstanceFaultCodec);
