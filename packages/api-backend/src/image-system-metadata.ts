// Nova keeps the image a server was built from in its system metadata (`image_<property>`), and a snapshot of the
// server inherits those properties (compute/utils.py's initialize_instance_snapshot_metadata): a snapshot of a
// guest booted with a kernel and ramdisk boots the same way.

/** The image fields system metadata records, as the API reads them from the catalogue. */
export interface ImageForSystemMetadata {
  readonly minRam: number;
  readonly minDisk: number;
  readonly properties?: Readonly<Record<string, unknown>>;
}

// Nova's SM_SKIP_KEYS: block device mappings are not kept per instance.
const SKIPPED = new Set(["mappings", "block_device_mapping"]);
// Nova's [DEFAULT] non_inheritable_image_properties default (plus its always-dropped signature keys).
const NOT_INHERITED = new Set([
  "cache_in_nova",
  "bittorrent",
  "img_signature",
  "img_signature_hash_method",
  "img_signature_key_type",
  "img_signature_certificate_uuid",
]);
// Read from system metadata into the snapshot's own fields, not its properties (Nova's SM_INHERITABLE_KEYS),
// or recorded for the server only.
const NOT_PROPERTIES = new Set(["min_ram", "min_disk", "disk_format", "container_format", "base_image_ref"]);

/** `image_<key>` system metadata for an image, as Nova's get_system_metadata_from_image writes it at boot. */
export function systemMetadataFromImage(image: ImageForSystemMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(image.properties ?? {})) {
    if (SKIPPED.has(key) || value === null || value === undefined) continue;
    // Nova truncates each value to the column's 255 characters.
    out[`image_${key}`] = String(value).slice(0, 255);
  }
  out.image_min_ram = String(image.minRam);
  out.image_min_disk = String(image.minDisk);
  return out;
}

/** The properties a snapshot of a server inherits from its system metadata (non-inheritable ones dropped). */
export function inheritedImageProperties(
  systemMetadata: Readonly<Record<string, string | null>> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(systemMetadata ?? {})) {
    if (!key.startsWith("image_")) continue;
    const name = key.slice("image_".length);
    if (value === null || NOT_PROPERTIES.has(name) || NOT_INHERITED.has(name)) continue;
    out[name] = value;
  }
  return out;
}
