import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** Flavor 1.2 (nova/objects/flavor.py). */
export const FlavorCodec = defineObject("Flavor", "1.2", {
  id: f.int(),
  name: f.nullable(f.string()),
  memory_mb: f.int(),
  vcpus: f.int(),
  root_gb: f.int(),
  ephemeral_gb: f.int(),
  flavorid: f.string(),
  swap: f.int(),
  rxtx_factor: f.nullable(f.float()),
  vcpu_weight: f.nullable(f.int()),
  disabled: f.bool(),
  is_public: f.bool(),
  extra_specs: f.dictOfStrings(),
  projects: f.listOfStrings(),
  description: f.nullable(f.string()),
  ...persistentFields,
});

/** A flavor (instance type) with its extra specs. */
export type Flavor = ObjectOf<typeof FlavorCodec.fields>;

/** FlavorList 1.1. */
export const FlavorListCodec = defineObjectList("FlavorList", "1.1", FlavorCodec);
