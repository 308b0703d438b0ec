import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";
import { InstanceCodec } from "./instance.js";
import { timestampFields } from "./persistent-fields.js";

/** BuildRequest 1.3: an instance accepted by the API and not yet placed in a cell. */
export const BuildRequestCodec = defineObject("BuildRequest", "1.3", {
  id: f.int(),
  instance_uuid: f.uuid(),
  project_id: f.string(),
  instance: f.object(InstanceCodec),
  block_device_mappings: f.opaque(),
  tags: f.opaque(),
  ...timestampFields,
});

/** A build request. */
export type BuildRequest = ObjectOf<typeof BuildRequestCodec.fields>;
