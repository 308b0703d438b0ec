import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** Server group policies Nova accepts. */
export const SERVER_GROUP_POLICIES = [
  "affinity",
  "anti-affinity",
  "soft-affinity",
  "soft-anti-affinity",
] as const;

/** InstanceGroup 1.11: a server group (policy, rules, members). */
export const InstanceGroupCodec = defineObject("InstanceGroup", "1.11", {
  id: f.int(),
  user_id: f.nullable(f.string()),
  project_id: f.nullable(f.string()),
  uuid: f.uuid(),
  name: f.nullable(f.string()),
  policies: f.nullable(f.listOfStrings()),
  members: f.nullable(f.listOfStrings()),
  hosts: f.nullable(f.listOfStrings()),
  policy: f.nullable(f.string()),
  _rules: f.dictOfStrings(),
  ...persistentFields,
});

/** A server group. */
export type InstanceGroup = ObjectOf<typeof InstanceGroupCodec.fields>;

/** InstanceGroupList 1.8. */
export const InstanceGroupListCodec = defineObjectList("InstanceGroupList", "1.8", InstanceGroupCodec);
