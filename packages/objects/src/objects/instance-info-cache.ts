import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** InstanceInfoCache 1.5: the instance's network info, a JSON string on the wire ("[]" without ports). */
export const InstanceInfoCacheCodec = defineObject("InstanceInfoCache", "1.5", {
  instance_uuid: f.uuid(),
  network_info: f.nullable(f.string()),
  ...persistentFields,
});

/** An instance's network info cache. */
export type InstanceInfoCache = ObjectOf<typeof InstanceInfoCacheCodec.fields>;
