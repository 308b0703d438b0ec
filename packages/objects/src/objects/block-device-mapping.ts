import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** BlockDeviceMapping 1.21: one disk of an instance (image, volume, blank, snapshot). */
export const BlockDeviceMappingCodec = defineObject("BlockDeviceMapping", "1.21", {
  id: f.int(),
  uuid: f.uuid(),
  instance_uuid: f.uuid(),
  instance: f.nullable(f.opaque()),
  source_type: f.nullable(f.enumOf(["image", "volume", "blank", "snapshot"])),
  destination_type: f.nullable(f.enumOf(["local", "volume"])),
  guest_format: f.nullable(f.string()),
  device_type: f.nullable(f.string()),
  disk_bus: f.nullable(f.string()),
  boot_index: f.nullable(f.int()),
  device_name: f.nullable(f.string()),
  delete_on_termination: f.bool(),
  snapshot_id: f.nullable(f.string()),
  volume_id: f.nullable(f.string()),
  volume_size: f.nullable(f.int()),
  image_id: f.nullable(f.string()),
  no_device: f.bool(),
  connection_info: f.nullable(f.string()),
  tag: f.nullable(f.string()),
  attachment_id: f.nullable(f.uuid()),
  volume_type: f.nullable(f.string()),
  encrypted: f.bool(),
  encryption_secret_uuid: f.nullable(f.uuid()),
  encryption_format: f.nullable(f.string()),
  encryption_options: f.nullable(f.string()),
  ...persistentFields,
});

/** A block device mapping. */
export type BlockDeviceMapping = ObjectOf<typeof BlockDeviceMappingCodec.fields>;

/** BlockDeviceMappingList 1.18. */
export const BlockDeviceMappingListCodec = defineObjectList(
  "BlockDeviceMappingList",
  "1.18",
  BlockDeviceMappingCodec,
);
