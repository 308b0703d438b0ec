import { f } from "../wire/fields.js";
import { defineObject, defineObjectList, type ObjectOf } from "../wire/object-codec.js";
import { persistentFields } from "./persistent-fields.js";

/** Service 1.22 (compute_node, a lazy-loaded field, is not modelled). */
export const ServiceCodec = defineObject("Service", "1.22", {
  id: f.int(),
  uuid: f.uuid(),
  host: f.nullable(f.string()),
  binary: f.nullable(f.string()),
  topic: f.nullable(f.string()),
  report_count: f.int(),
  disabled: f.bool(),
  disabled_reason: f.nullable(f.string()),
  availability_zone: f.nullable(f.string()),
  last_seen_up: f.nullable(f.dateTime()),
  forced_down: f.bool(),
  version: f.int(),
  ...persistentFields,
});

/** A running nova service (nova-compute, nova-conductor, ...) and its heartbeat record. */
export type Service = ObjectOf<typeof ServiceCodec.fields>;

/** ServiceList 1.19. */
export const ServiceListCodec = defineObjectList("ServiceList", "1.19", ServiceCodec);

/** The service version this code speaks (nova.objects.service.SERVICE_VERSION of Zed). */
export const SERVICE_VERSION = 64;
