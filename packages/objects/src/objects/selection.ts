import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";

/** Selection 1.1: one host chosen (or kept as an alternate) by the scheduler. */
export const SelectionCodec = defineObject("Selection", "1.1", {
  compute_node_uuid: f.uuid(),
  service_host: f.string(),
  nodename: f.string(),
  cell_uuid: f.uuid(),
  limits: f.nullable(f.opaque()),
  allocation_request: f.nullable(f.string()),
  allocation_request_version: f.nullable(f.string()),
  availability_zone: f.nullable(f.string()),
});

/** A scheduler selection. */
export type Selection = ObjectOf<typeof SelectionCodec.fields>;
