import { z } from "zod";
import type { Strict } from "../strict.js";
import { linkSchema } from "./link.js";

/** A hypervisor (compute node): summary fields always, the rest in detail; figures before 2.88 only. */
export const hypervisorSchema = z.looseObject({
  id: z.union([z.string(), z.number()]),
  hypervisor_hostname: z.string(),
  state: z.enum(["up", "down"]),
  status: z.enum(["enabled", "disabled"]),
  hypervisor_type: z.string().optional(),
  hypervisor_version: z.number().optional(),
  host_ip: z.string().nullable().optional(),
  service: z
    .looseObject({
      id: z.union([z.string(), z.number()]),
      host: z.string(),
      disabled_reason: z.string().nullable(),
    })
    .optional(),
  vcpus: z.number().optional(),
  memory_mb: z.number().optional(),
  local_gb: z.number().optional(),
  vcpus_used: z.number().optional(),
  memory_mb_used: z.number().optional(),
  local_gb_used: z.number().optional(),
  running_vms: z.number().optional(),
  uptime: z.string().nullable().optional(),
  servers: z.array(z.looseObject({ name: z.string(), uuid: z.string() })).optional(),
});
/** A hypervisor (compute node). */
export type Hypervisor = Strict<z.infer<typeof hypervisorSchema>>;

/** `GET /os-hypervisors` and `/os-hypervisors/detail` response. */
export const listHypervisorsResponseSchema = z.object({
  hypervisors: z.array(hypervisorSchema),
  hypervisors_links: z.array(linkSchema).optional(),
});

/** `GET /os-hypervisors/{id}` response. */
export const showHypervisorResponseSchema = z.object({ hypervisor: hypervisorSchema });

/** `GET /os-hypervisors/statistics` response (before 2.88). */
export const hypervisorStatisticsResponseSchema = z.object({
  hypervisor_statistics: z.looseObject({ count: z.number(), vcpus: z.number(), running_vms: z.number() }),
});

/** Query of `GET /os-hypervisors` (2.33+ paging, 2.53+ filters). */
export interface HypervisorListQuery {
  /** The most hypervisors in one page. */
  limit?: number;
  /** The id of the last hypervisor of the previous page. */
  marker?: string;
  /** 2.53+: only hypervisors whose hostname matches. */
  hypervisor_hostname_pattern?: string;
  /** 2.53+: list each hypervisor's servers. */
  with_servers?: boolean;
}
