import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";
import { CellMappingCodec } from "./cell-mapping.js";
import { timestampFields } from "./persistent-fields.js";

/** HostMapping 1.0: which cell a compute host belongs to. */
export const HostMappingCodec = defineObject("HostMapping", "1.0", {
  id: f.int(),
  host: f.string(),
  cell_mapping: f.object(CellMappingCodec),
  ...timestampFields,
});

/** A host mapping. */
export type HostMapping = ObjectOf<typeof HostMappingCodec.fields>;
