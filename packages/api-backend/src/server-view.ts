import type { FlavorRecord, ServerRecord } from "@nova/api";
import {
  DEFAULT_INSTANCE_NAME_TEMPLATE,
  type Flavor,
  type Instance,
  type InstanceFault,
  instanceName,
  type TaskState,
  type VmState,
} from "@nova/objects";

/** A flavor (API database or embedded in an instance) as the API shows it. */
export function flavorRecord(f: Partial<Flavor>): FlavorRecord {
  return {
    flavorId: f.flavorid ?? "",
    name: f.name ?? "",
    memoryMb: f.memory_mb ?? 0,
    vcpus: f.vcpus ?? 0,
    rootGb: f.root_gb ?? 0,
    ephemeralGb: f.ephemeral_gb ?? 0,
    swap: f.swap ?? 0,
    rxtxFactor: f.rxtx_factor ?? 1,
    isPublic: f.is_public ?? true,
    disabled: f.disabled ?? false,
    description: f.description ?? null,
    extraSpecs: { ...(f.extra_specs ?? {}) },
    createdAt: f.created_at ?? new Date(0),
  };
}

/** An instance (a cell row, or the one a build request holds) as the API shows it. */
export function serverRecord(
  i: Partial<Instance> & { uuid: string },
  extra: {
    fault?: Partial<InstanceFault> | null | undefined;
    hostStatus?: string | undefined;
    /** `[DEFAULT] instance_name_template` (Nova's default when left out). */
    instanceNameTemplate?: string | undefined;
    /** The server's tags, read from the cell's tags table (else those the instance carries, if any). */
    tags?: string[] | undefined;
  } = {},
): ServerRecord {
  const fault = extra.fault;
  const record: ServerRecord = {
    uuid: i.uuid,
    instanceName: instanceName(extra.instanceNameTemplate ?? DEFAULT_INSTANCE_NAME_TEMPLATE, i),
    name: i.display_name ?? "",
    description: i.display_description ?? null,
    hostname: i.hostname ?? "",
    projectId: i.project_id ?? "",
    userId: i.user_id ?? "",
    vmState: (i.vm_state ?? "building") as VmState,
    taskState: (i.task_state ?? null) as TaskState | null,
    powerState: i.power_state ?? 0,
    imageRef: i.image_ref ?? "",
    flavor: flavorRecord(i.flavor ?? {}),
    host: i.host ?? null,
    node: i.node ?? null,
    availabilityZone: i.availability_zone ?? null,
    keyName: i.key_name ?? null,
    metadata: { ...(i.metadata ?? {}) },
    accessIPv4: i.access_ip_v4 ?? null,
    accessIPv6: i.access_ip_v6 ?? null,
    configDrive: i.config_drive === "True" || i.config_drive === "true",
    autoDiskConfig: i.auto_disk_config ?? false,
    progress: i.progress ?? 0,
    reservationId: i.reservation_id ?? "",
    launchIndex: i.launch_index ?? 0,
    userData: i.user_data ?? null,
    kernelId: i.kernel_id ?? null,
    ramdiskId: i.ramdisk_id ?? null,
    rootDeviceName: i.root_device_name ?? null,
    locked: i.locked ?? false,
    lockedBy: i.locked_by === "owner" || i.locked_by === "admin" ? i.locked_by : null,
    lockedReason: i.system_metadata?.locked_reason ?? null,
    tags:
      extra.tags ??
      (Array.isArray(i.tags) ? (i.tags as unknown[]).filter((t): t is string => typeof t === "string") : []),
    securityGroups: ["default"],
    addresses: {},
    fault: fault
      ? {
          code: fault.code ?? 500,
          message: fault.message ?? "",
          details: fault.details ?? null,
          createdAt: fault.created_at ?? new Date(0),
        }
      : null,
    createdAt: i.created_at ?? new Date(0),
    updatedAt: i.updated_at ?? null,
    launchedAt: i.launched_at ?? null,
    terminatedAt: i.terminated_at ?? null,
    deleted: i.deleted ?? false,
  };
  if (extra.hostStatus !== undefined) record.hostStatus = extra.hostStatus;
  return record;
}
