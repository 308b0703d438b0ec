import { BuildRequestCodec } from "../objects/build-request.js";
import { CellMappingCodec, CellMappingListCodec } from "../objects/cell-mapping.js";
import { ComputeNodeCodec, ComputeNodeListCodec } from "../objects/compute-node.js";
import { FlavorCodec, FlavorListCodec } from "../objects/flavor.js";
import { HostMappingCodec } from "../objects/host-mapping.js";
import { InstanceCodec, InstanceListCodec } from "../objects/instance.js";
import {
  InstanceActionCodec,
  InstanceActionEventCodec,
  InstanceActionEventListCodec,
  InstanceActionListCodec,
} from "../objects/instance-action.js";
import { InstanceFaultCodec, InstanceFaultListCodec } from "../objects/instance-fault.js";
import { InstanceGroupCodec, InstanceGroupListCodec } from "../objects/instance-group.js";
import { InstanceMappingCodec } from "../objects/instance-mapping.js";
import { KeyPairCodec, KeyPairListCodec } from "../objects/key-pair.js";
import { RequestSpecCodec } from "../objects/request-spec.js";
import { SelectionCodec } from "../objects/selection.js";
import { ServiceCodec, ServiceListCodec } from "../objects/service.js";
import type { NestedCodec } from "./fields.js";
import { isNovaObjectPrimitive, type NovaObjectPrimitive } from "./primitive.js";

const all: NestedCodec<unknown>[] = [
  BuildRequestCodec,
  CellMappingCodec,
  CellMappingListCodec,
  ComputeNodeCodec,
  ComputeNodeListCodec,
  FlavorCodec,
  FlavorListCodec,
  HostMappingCodec,
  InstanceActionCodec,
  InstanceActionEventCodec,
  InstanceActionEventListCodec,
  InstanceActionListCodec,
  InstanceCodec,
  InstanceFaultCodec,
  InstanceFaultListCodec,
  InstanceGroupCodec,
  InstanceGroupListCodec,
  InstanceListCodec,
  InstanceMappingCodec,
  KeyPairCodec,
  KeyPairListCodec,
  RequestSpecCodec,
  SelectionCodec,
  ServiceCodec,
  ServiceListCodec,
] as NestedCodec<unknown>[];

/** Every object class this package models, by its Nova name. */
export const novaObjectCodecs: ReadonlyMap<string, NestedCodec<unknown>> = new Map(
  all.map((c) => [c.name, c]),
);

/**
 * Decodes any JSON value as it appears in RPC args or results: each known Nova object primitive becomes
 * its typed value (recursively through plain lists and dicts); unknown classes stay as primitives.
 */
export function decodeNovaValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeNovaValue);
  if (isNovaObjectPrimitive(value)) {
    const codec = novaObjectCodecs.get(value["nova_object.name"]);
    return codec ? codec.fromPrimitive(value) : value;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNovaValue(v)]));
  }
  return value;
}

/** Encodes a typed value back to its primitive with the codec registered under `name`. */
export function encodeNovaObject(name: string, value: unknown): NovaObjectPrimitive {
  const codec = novaObjectCodecs.get(name);
  if (!codec) throw new Error(`unknown Nova object ${name}`);
  return codec.toPrimitive(value);
}
