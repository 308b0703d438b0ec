import { f } from "../wire/fields.js";
import { defineObject, type ObjectOf } from "../wire/object-codec.js";
import { FlavorCodec } from "./flavor.js";
import { InstanceGroupCodec } from "./instance-group.js";

/** RequestSpec 1.14: everything the scheduler needs to place one boot request. */
export const RequestSpecCodec = defineObject("RequestSpec", "1.14", {
  id: f.int(),
  image: f.nullable(f.opaque()),
  numa_topology: f.nullable(f.opaque()),
  pci_requests: f.nullable(f.opaque()),
  project_id: f.nullable(f.string()),
  user_id: f.nullable(f.string()),
  availability_zone: f.nullable(f.string()),
  flavor: f.object(FlavorCodec),
  num_instances: f.int(),
  ignore_hosts: f.nullable(f.listOfStrings()),
  force_hosts: f.nullable(f.listOfStrings()),
  force_nodes: f.nullable(f.listOfStrings()),
  requested_destination: f.nullable(f.opaque()),
  retry: f.nullable(f.opaque()),
  limits: f.nullable(f.opaque()),
  instance_group: f.nullable(f.object(InstanceGroupCodec)),
  scheduler_hints: f.nullable(f.dictOfListOfStrings()),
  instance_uuid: f.uuid(),
  security_groups: f.opaque(),
  network_metadata: f.opaque(),
  is_bfv: f.bool(),
  requested_resources: f.nullable(f.listOf(f.opaque())),
  request_level_params: f.opaque(),
  requested_networks: f.opaque(),
});

/** A request spec. */
export type RequestSpec = ObjectOf<typeof RequestSpecCodec.fields>;

/** The image properties of a request spec (ImageMeta.properties data), or {} when none were sent. */
export function requestSpecImageProperties(spec: Partial<RequestSpec>): Record<string, unknown> {
  const props = spec.image?.["nova_object.data"].properties;
  if (props && typeof props === "object" && "nova_object.data" in props) {
    return (props as { "nova_object.data": Record<string, unknown> })["nova_object.data"];
  }
  return {};
}
