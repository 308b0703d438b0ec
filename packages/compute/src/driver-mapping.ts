import { type Instance, instanceName } from "@nova/objects";
import { BuildAbortException, type NovaContext } from "@nova/rpcapi";
import type {
  DriverFlavor,
  DriverInstance,
  ImageMeta,
  ImageProperties,
  InjectedFile,
  InstanceRef,
} from "@nova/virt";

/** What identifies a guest on the hypervisor: the uuid and the templated name. */
export function toInstanceRef(instance: Partial<Instance>, nameTemplate: string): InstanceRef {
  if (!instance.uuid) throw new TypeError("an instance without a uuid cannot be found on the hypervisor");
  return { uuid: instance.uuid, name: instanceName(nameTemplate, instance) };
}

/**
 * The guest's size from the instance's flavor (Nova's `instance.flavor`), or from the flat fields an
 * instance also carries when the flavor was not loaded. No size at all cannot be built anywhere: abort.
 */
export function toDriverFlavor(instance: Partial<Instance>): DriverFlavor {
  const f = instance.flavor;
  if (f && typeof f.vcpus === "number" && typeof f.memory_mb === "number") {
    return {
      flavorId: f.flavorid ?? String(f.id ?? instance.instance_type_id ?? ""),
      name: f.name ?? "",
      vcpus: f.vcpus,
      memoryMb: f.memory_mb,
      rootGb: f.root_gb ?? 0,
      ephemeralGb: f.ephemeral_gb ?? 0,
      swapMb: f.swap ?? 0,
      extraSpecs: { ...(f.extra_specs ?? {}) },
    };
  }
  if (typeof instance.vcpus === "number" && typeof instance.memory_mb === "number") {
    return {
      flavorId: String(instance.instance_type_id ?? ""),
      name: "",
      vcpus: instance.vcpus,
      memoryMb: instance.memory_mb,
      rootGb: instance.root_gb ?? 0,
      ephemeralGb: instance.ephemeral_gb ?? 0,
      swapMb: 0,
      extraSpecs: {},
    };
  }
  throw new BuildAbortException({
    instance_uuid: instance.uuid ?? "",
    reason: "the instance carries no flavor (vcpus, memory_mb)",
  });
}

/** The spawn input from the Nova instance and the caller's context (project and user names for metadata). */
export function toDriverInstance(
  instance: Partial<Instance>,
  nameTemplate: string,
  ctx?: Pick<NovaContext, "project_name" | "user_name">,
): DriverInstance {
  const ref = toInstanceRef(instance, nameTemplate);
  return {
    ...ref,
    displayName: instance.display_name ?? "",
    projectId: instance.project_id ?? "",
    userId: instance.user_id ?? "",
    flavor: toDriverFlavor(instance),
    ...(instance.image_ref ? { imageRef: instance.image_ref } : {}),
    ...(instance.hostname ? { hostname: instance.hostname } : {}),
    ...(instance.created_at ? { createdAt: instance.created_at.getTime() } : {}),
    ...(instance.metadata ? { metadata: { ...instance.metadata } } : {}),
    ...(ctx?.project_name ? { projectName: ctx.project_name } : {}),
    ...(ctx?.user_name ? { userName: ctx.user_name } : {}),
  };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Nova's ImageMeta from the image dict build_and_run_instance carries (Glance's fields, snake_case). */
export function toImageMeta(image: Record<string, unknown> | null | undefined): ImageMeta {
  const img = image ?? {};
  const rawProps = img.properties;
  const p: Record<string, unknown> =
    typeof rawProps === "object" && rawProps !== null && !Array.isArray(rawProps)
      ? (rawProps as Record<string, unknown>)
      : {};
  const props: Record<string, string> = {};
  const pick = (key: keyof ImageProperties, ...names: string[]) => {
    for (const n of names) {
      const v = str(p[n]);
      if (v !== undefined) {
        props[key] = v;
        return;
      }
    }
  };
  pick("hwDiskBus", "hw_disk_bus");
  pick("hwVifModel", "hw_vif_model");
  pick("hwMachineType", "hw_machine_type");
  pick("hwVideoModel", "hw_video_model");
  pick("kernelId", "kernel_id");
  pick("ramdiskId", "ramdisk_id");
  pick("osCommandLine", "os_command_line");
  pick("osType", "os_type");
  pick("hwArchitecture", "hw_architecture", "architecture");
  const meta: { -readonly [K in keyof ImageMeta]: ImageMeta[K] } = { properties: props };
  const id = str(img.id);
  if (id !== undefined) meta.id = id;
  const name = str(img.name);
  if (name !== undefined) meta.name = name;
  const diskFormat = str(img.disk_format);
  if (diskFormat !== undefined) meta.diskFormat = diskFormat;
  const containerFormat = str(img.container_format);
  if (containerFormat !== undefined) meta.containerFormat = containerFormat;
  const size = num(img.size);
  if (size !== undefined) meta.size = size;
  const checksum = str(img.checksum);
  if (checksum !== undefined) meta.checksum = checksum;
  const minDisk = num(img.min_disk);
  if (minDisk !== undefined) meta.minDisk = minDisk;
  const minRam = num(img.min_ram);
  if (minRam !== undefined) meta.minRam = minRam;
  return meta;
}

/** Nova's injected files: `[path, base64 contents]` pairs (the API base64-encodes personality files). */
export function decodeInjectedFiles(files: unknown): InjectedFile[] {
  if (!Array.isArray(files)) return [];
  const out: InjectedFile[] = [];
  for (const entry of files) {
    if (Array.isArray(entry) && typeof entry[0] === "string" && typeof entry[1] === "string") {
      out.push({ path: entry[0], contents: new Uint8Array(Buffer.from(entry[1], "base64")) });
    }
  }
  return out;
}
