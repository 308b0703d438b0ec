import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { timestampFields } from "./persistent-fields.js";

/** The uuid Nova reserves for cell0, where instances that could not be scheduled are kept. */
export const CELL0_UUID = "00000000-0000-0000-0000-000000000000";

/** CellMapping 1.1: where a cell's database and message queue are. */
export const CellMappingCodec = defineObject("CellMapping", "1.1", {
  id: f.int(),
  uuid: f.uuid(),
  name: f.nullable(f.string()),
  transport_url: f.string(),
  database_connection: f.string(),
  disabled: f.bool(),
  ...timestampFields,
});

/** A cell mapping. */
export type CellMapping = ObjectOf<typeof CellMappingCodec.fields>;

/** CellMappingList 1.1. */
export const CellMappingListCodec = defineObjectList("CellMappingList", "1.1", CellMappingCodec);
