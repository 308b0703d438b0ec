import { POWER_STATES } from "../power-state.js";
import { TASK_STATES } from "../task-state.js";
import { VM_STATES } from "../vm-state.js";
import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { FlavorCodec } from "./flavor.js";
import { InstanceFaultCodec } from "./instance-fault.js";
import { persistentFields } from "./persistent-fields.js";

/**
 * Instance 2.7 (nova/objects/instance.py). Nested objects this project does not interpret yet
 * (info cache, security groups, NUMA, PCI, tags, keypairs, ...) travel as their primitives, unchanged.
 */
export const InstanceCodec = defineObject("Instance", "2.7", {
  id: f.int(),
  user_id: f.nullable(f.string()),
  project_id: f.nullable(f.string()),
  image_ref: f.nullable(f.string()),
  kernel_id: f.nullable(f.string()),
  ramdisk_id: f.nullable(f.string()),
  hostname: f.nullable(f.string()),
  launch_index: f.nullable(f.int()),
  key_name: f.nullable(f.string()),
  key_data: f.nullable(f.string()),
  power_state: f.nullable(f.intEnumOf(POWER_STATES)),
  vm_state: f.nullable(f.enumOf(VM_STATES)),
  task_state: f.nullable(f.enumOf(TASK_STATES)),
  services: f.opaque(),
  memory_mb: f.nullable(f.int()),
  vcpus: f.nullable(f.int()),
  root_gb: f.nullable(f.int()),
  ephemeral_gb: f.nullable(f.int()),
  ephemeral_key_uuid: f.nullable(f.uuid()),
  host: f.nullable(f.string()),
  node: f.nullable(f.string()),
  instance_type_id: f.nullable(f.int()),
  user_data: f.nullable(f.string()),
  reservation_id: f.nullable(f.string()),
  launched_at: f.nullable(f.dateTime()),
  terminated_at: f.nullable(f.dateTime()),
  availability_zone: f.nullable(f.string()),
  display_name: f.nullable(f.string()),
  display_description: f.nullable(f.string()),
  launched_on: f.nullable(f.string()),
  locked: f.bool(),
  locked_by: f.nullable(f.string()),
  os_type: f.nullable(f.string()),
  architecture: f.nullable(f.string()),
  vm_mode: f.nullable(f.string()),
  uuid: f.uuid(),
  root_device_name: f.nullable(f.string()),
  default_ephemeral_device: f.nullable(f.string()),
  default_swap_device: f.nullable(f.string()),
  config_drive: f.nullable(f.string()),
  access_ip_v4: f.nullable(f.string()),
  access_ip_v6: f.nullable(f.string()),
  auto_disk_config: f.bool(),
  progress: f.nullable(f.int()),
  shutdown_terminate: f.bool(),
  disable_terminate: f.bool(),
  cell_name: f.nullable(f.string()),
  metadata: f.dictOfStrings(),
  system_metadata: f.dictOfNullableStrings(),
  info_cache: f.nullable(f.opaque()),
  security_groups: f.opaque(),
  fault: f.nullable(f.object(InstanceFaultCodec)),
  cleaned: f.bool(),
  pci_devices: f.nullable(f.opaque()),
  numa_topology: f.nullable(f.opaque()),
  pci_requests: f.nullable(f.opaque()),
  device_metadata: f.nullable(f.opaque()),
  tags: f.opaque(),
  flavor: f.object(FlavorCodec),
  old_flavor: f.nullable(f.object(FlavorCodec)),
  new_flavor: f.nullable(f.object(FlavorCodec)),
  vcpu_model: f.nullable(f.opaque()),
  ec2_ids: f.opaque(),
  migration_context: f.nullable(f.opaque()),
  keypairs: f.opaque(),
  trusted_certs: f.nullable(f.opaque()),
  hidden: f.bool(),
  resources: f.nullable(f.opaque()),
  ...persistentFields,
});

/** An instance (server) as the services exchange it. */
export type Instance = ObjectOf<typeof InstanceCodec.fields>;

/** InstanceList 2.6. */
export const InstanceListCodec = defineObjectList("InstanceList", "2.6", InstanceCodec);
