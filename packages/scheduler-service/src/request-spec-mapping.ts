import type { RequestSpec as NovaRequestSpec } from "@nova/objects";
import { requestSpecImageProperties, resourcesFromFlavor } from "@nova/objects";
import type { InstanceGroupSpec, RequestedDestination, RequestSpec } from "@nova/scheduler";
import { InvalidSchedulingRequestError } from "./scheduler-service-error.js";

/** The resources one instance takes on a node, as the cell database claim and placement count them. */
export interface InstanceResources {
  /** vCPUs the instance takes. */
  vcpus: number;
  /** Memory the instance takes, in MB. */
  memory_mb: number;
  /** DISK_GB: root (not for boot-from-volume) + ephemeral + swap rounded up to GB. */
  local_gb: number;
}

/**
 * Maps Nova's RequestSpec object (as decoded from `spec_obj`) onto @nova/scheduler's plain input: flavor,
 * image properties, hints, zone, ignore/force lists, requested destination and server group.
 */
export function schedulerRequestFrom(
  spec: Partial<NovaRequestSpec>,
  instanceUuids: readonly string[] | null,
): RequestSpec {
  const flavor = spec.flavor;
  if (!flavor) throw new InvalidSchedulingRequestError("spec_obj has no flavor");
  const need = (name: "vcpus" | "memory_mb" | "root_gb" | "ephemeral_gb") => {
    const v = flavor[name];
    if (typeof v !== "number") throw new InvalidSchedulingRequestError(`spec_obj.flavor has no ${name}`);
    return v;
  };
  const imageData = spec.image?.["nova_object.data"];
  // Nova prefers the uuids' count: num_instances is stale on moves and resizes.
  const uuids = instanceUuids && instanceUuids.length > 0 ? instanceUuids : null;
  return {
    instance_uuid: spec.instance_uuid ?? uuids?.[0] ?? null,
    instance_uuids: uuids,
    num_instances: uuids?.length ?? spec.num_instances ?? 1,
    project_id: spec.project_id ?? "",
    ...(spec.user_id ? { user_id: spec.user_id } : {}),
    availability_zone: spec.availability_zone ?? null,
    flavor: {
      name: flavor.name ?? flavor.flavorid ?? "",
      ...(flavor.flavorid !== undefined ? { flavorid: flavor.flavorid } : {}),
      vcpus: need("vcpus"),
      memory_mb: need("memory_mb"),
      // Placement does not count a boot-from-volume root disk against the host.
      root_gb: spec.is_bfv === true ? 0 : need("root_gb"),
      ephemeral_gb: need("ephemeral_gb"),
      swap: flavor.swap ?? 0,
      extra_specs: flavor.extra_specs ?? {},
    },
    image: imageData
      ? {
          id: typeof imageData.id === "string" ? imageData.id : null,
          properties: scalarProperties(requestSpecImageProperties(spec)),
        }
      : null,
    scheduler_hints: spec.scheduler_hints ?? {},
    instance_group: spec.instance_group ? instanceGroup(spec.instance_group) : null,
    ignore_hosts: spec.ignore_hosts ?? null,
    force_hosts: spec.force_hosts ?? null,
    force_nodes: spec.force_nodes ?? null,
    requested_destination: destination(spec.requested_destination ?? null),
  };
}

/** What one instance of the request takes from the node it lands on. */
export function instanceResources(spec: RequestSpec): InstanceResources {
  // The flavor's root_gb is already 0 for a volume-backed request (schedulerRequestFrom).
  const r = resourcesFromFlavor(spec.flavor);
  return { vcpus: r.vcpus, memory_mb: r.memory_mb, local_gb: r.disk_gb };
}

// Filters compare scalars; lists and nested objects (hw_numa_*, traits) are not read by any filter we run.
function scalarProperties(props: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

function instanceGroup(g: NonNullable<NovaRequestSpec["instance_group"]>): InstanceGroupSpec {
  // InstanceGroup 1.11 has `policy`; older peers sent only `policies` (a one-element list).
  const policy = g.policy ?? g.policies?.[0] ?? "";
  return {
    ...(g.uuid ? { uuid: g.uuid } : {}),
    policy,
    rules: g._rules ?? null,
    members: g.members ?? [],
    hosts: g.hosts ?? [],
  };
}

// Destination 1.4 (an object we keep as a primitive): host, node, cell (a CellMapping), allow_cross_cell_move.
function destination(
  raw: { "nova_object.data": Record<string, unknown> } | null,
): RequestedDestination | null {
  if (!raw) return null;
  const d = raw["nova_object.data"];
  const cell = d.cell as { "nova_object.data"?: Record<string, unknown> } | null | undefined;
  const cellUuid = cell?.["nova_object.data"]?.uuid;
  return {
    host: typeof d.host === "string" ? d.host : null,
    node: typeof d.node === "string" ? d.node : null,
    cell_uuid: typeof cellUuid === "string" ? cellUuid : null,
    allow_cross_cell_move: d.allow_cross_cell_move === true,
  };
}
