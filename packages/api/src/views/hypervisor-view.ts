import type { ApiVersion } from "@nova/client";
import type { HostServer, HypervisorRecord, HypervisorStatistics } from "../host-records.js";

/** How much of a hypervisor to show, and the servers on its host when asked. */
export interface HypervisorViewOptions {
  /** The detail view (detail list and show) rather than the summary. */
  detail: boolean;
  /** The host's servers, when the caller asked for them (`with_servers`, or the pre-2.53 servers route). */
  servers?: readonly HostServer[] | undefined;
  /** Whether `with_servers` was asked: from 2.75 an empty list is shown rather than left out. */
  withServers?: boolean;
}

/** Nova's `_view_hypervisor`: one compute node with its service's state, per microversion. */
export function hypervisorView(h: HypervisorRecord, version: ApiVersion, options: HypervisorViewOptions) {
  const uuids = version.atLeast("2.53");
  const out: Record<string, unknown> = {
    id: uuids ? h.uuid : h.id,
    hypervisor_hostname: h.hypervisorHostname,
    state: h.service.isUp ? "up" : "down",
    status: h.service.disabled ? "disabled" : "enabled",
  };
  if (options.detail) {
    out.hypervisor_type = h.hypervisorType;
    out.hypervisor_version = h.hypervisorVersion;
    out.host_ip = h.hostIp;
    out.service = {
      id: uuids ? h.service.uuid : h.service.id,
      host: h.host,
      disabled_reason: h.service.disabledReason,
    };
    // 2.88 drops the resource figures: placement is where they are true.
    if (!version.atLeast("2.88")) {
      out.vcpus = h.vcpus;
      out.memory_mb = h.memoryMb;
      out.local_gb = h.localGb;
      out.vcpus_used = h.vcpusUsed;
      out.memory_mb_used = h.memoryMbUsed;
      out.local_gb_used = h.localGbUsed;
      out.free_ram_mb = h.freeRamMb;
      out.free_disk_gb = h.freeDiskGb;
      out.current_workload = h.currentWorkload;
      out.running_vms = h.runningVms;
      out.disk_available_least = h.diskAvailableLeast;
      out.cpu_info = version.atLeast("2.28") ? cpuInfoObject(h.cpuInfo) : h.cpuInfo;
    } else {
      // Nova asks the compute for its uptime here and shows null when it cannot tell; nova-ts computes
      // have no uptime call, so null is what Nova shows for them.
      out.uptime = null;
    }
  }
  if (options.servers && options.servers.length > 0) {
    out.servers = options.servers.map((s) => ({ name: s.name, uuid: s.uuid }));
  } else if (options.withServers && version.atLeast("2.75")) {
    out.servers = [];
  }
  return out;
}

/** `GET /os-hypervisors/statistics`. */
export function hypervisorStatisticsView(s: HypervisorStatistics) {
  return {
    count: s.count,
    vcpus: s.vcpus,
    memory_mb: s.memoryMb,
    local_gb: s.localGb,
    vcpus_used: s.vcpusUsed,
    memory_mb_used: s.memoryMbUsed,
    local_gb_used: s.localGbUsed,
    free_ram_mb: s.freeRamMb,
    free_disk_gb: s.freeDiskGb,
    current_workload: s.currentWorkload,
    running_vms: s.runningVms,
    disk_available_least: s.diskAvailableLeast,
  };
}

/** From 2.28 cpu_info is the parsed JSON object ({} when empty or not JSON). */
function cpuInfoObject(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
