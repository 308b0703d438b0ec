/** The parts of a flavor that say what an instance takes from a compute node. */
export interface FlavorSizes {
  /** Virtual CPUs. */
  vcpus?: number | null;
  /** RAM in MiB. */
  memory_mb?: number | null;
  /** Root disk in GB (not claimed for a volume-backed instance). */
  root_gb?: number | null;
  /** Ephemeral disk in GB. */
  ephemeral_gb?: number | null;
  /** Swap in MiB. */
  swap?: number | null;
}

/** What one instance of a flavor takes from the compute node it lands on (placement's VCPU, MEMORY_MB, DISK_GB). */
export interface FlavorResources {
  /** VCPU: the flavor's virtual CPUs. */
  vcpus: number;
  /** MEMORY_MB: the flavor's RAM in MiB. */
  memory_mb: number;
  /** DISK_GB: root (0 when volume-backed) + ephemeral + swap rounded up to whole GB. */
  disk_gb: number;
}

/**
 * Nova's `resources_from_flavor` (nova/scheduler/utils.py): the amounts the scheduler claims and a delete gives
 * back, so both sides must use this one rule. Swap is in MiB and counts as `ceil(swap / 1024)` GB
 * (`convert_mb_to_ceil_gb`); a volume-backed instance's root disk lives in Cinder, not on the host.
 */
export function resourcesFromFlavor(flavor: FlavorSizes, isVolumeBacked = false): FlavorResources {
  const root = isVolumeBacked ? 0 : (flavor.root_gb ?? 0);
  const swapGb = Math.ceil((flavor.swap ?? 0) / 1024);
  return {
    vcpus: flavor.vcpus ?? 0,
    memory_mb: flavor.memory_mb ?? 0,
    disk_gb: root + (flavor.ephemeral_gb ?? 0) + swapGb,
  };
}

/**
 * The resources an instance holds: its flavor's when the flavor is loaded (the only place its swap is
 * recorded), else its own columns (which carry no swap).
 */
export function instanceResources(
  instance: FlavorSizes & { flavor?: FlavorSizes | null },
  isVolumeBacked = false,
): FlavorResources {
  const flavor = instance.flavor;
  return resourcesFromFlavor(flavor && typeof flavor.vcpus === "number" ? flavor : instance, isVolumeBacked);
}
