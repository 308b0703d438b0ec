import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";
import { CellMappingCodec } from "./cell-mapping.js";
import { timestampFields } from "./persistent-fields.js";

/** InstanceMapping 1.2: which cell an instance lives in (null cell_mapping while it is being scheduled). */
export const InstanceMappingCodec = defineObject("InstanceMapping", "1.2", {
  id: f.int(),
  instance_uuid: f.uuid(),
  cell_mapping: f.nullable(f.object(CellMappingCodec)),
  project_id: f.string(),
  user_id: f.string(),
  queued_for_delete: f.bool(),
  ...timestampFields,
});

/** An instance mapping. */
export type InstanceMapping = ObjectOf<typeof InstanceMappingCodec.fields>;
