import { pythonJsonDumps } from "@nova/messaging";
import { type NovaObjectPrimitive, SelectionCodec } from "@nova/objects";
import type { Selection } from "@nova/scheduler";
import type { InstanceResources } from "./request-spec-mapping.js";

/** The placement microversion Nova Zed's scheduler reports its allocation requests in. */
export const ALLOCATION_REQUEST_VERSION = "1.36";

/** One pick, ready to send: the library's selection plus the host's availability zone. */
export interface PickedHost extends Selection {
  /** The host's availability zone. */
  availability_zone: string;
}

// SchedulerLimits 1.0 with nothing set, as Nova sends it (no NUMA, no oversubscription limits).
const EMPTY_LIMITS: NovaObjectPrimitive = {
  "nova_object.name": "SchedulerLimits",
  "nova_object.namespace": "nova",
  "nova_object.version": "1.0",
  "nova_object.data": { numa_topology: null, vcpu: null, disk_gb: null, memory_mb: null },
  "nova_object.changes": ["numa_topology", "vcpu", "disk_gb", "memory_mb"],
};

/**
 * Placement's allocation request for one instance on a node, as Nova's Selection carries it (JSON text):
 * the conductor uses it to claim an alternate, or to give a claim back.
 */
export function allocationRequest(nodeUuid: string, r: InstanceResources): string {
  const resources: Record<string, number> = {};
  if (r.local_gb > 0) resources.DISK_GB = r.local_gb;
  if (r.memory_mb > 0) resources.MEMORY_MB = r.memory_mb;
  if (r.vcpus > 0) resources.VCPU = r.vcpus;
  return pythonJsonDumps({ allocations: { [nodeUuid]: { resources } }, mappings: { "": [nodeUuid] } });
}

/** A Selection 1.1 primitive, field for field as Nova's scheduler replies. */
export function selectionPrimitive(pick: PickedHost, r: InstanceResources): NovaObjectPrimitive {
  const value = {
    compute_node_uuid: pick.compute_node_uuid,
    service_host: pick.host,
    nodename: pick.nodename,
    cell_uuid: pick.cell_uuid,
    limits: EMPTY_LIMITS,
    allocation_request: allocationRequest(pick.compute_node_uuid, r),
    allocation_request_version: ALLOCATION_REQUEST_VERSION,
    availability_zone: pick.availability_zone,
  };
  return SelectionCodec.toPrimitive(value, { changes: Object.keys(value) });
}

/** The pre-Queens answer (`return_objects` false): Selection.to_dict() of the chosen host. */
export function legacyHostDict(pick: PickedHost): {
  host: string;
  nodename: string;
  limits: Record<string, never>;
} {
  return { host: pick.host, nodename: pick.nodename, limits: {} };
}
